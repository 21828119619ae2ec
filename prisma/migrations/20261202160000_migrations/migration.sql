-- Migrations between accounts: their checkpoints and outcomes (issue 6).
-- CreateTable
CREATE TABLE "Migration" (
    "id" UUID NOT NULL,
    "sourceAccountId" UUID NOT NULL,
    "targetAccountId" UUID NOT NULL,
    "sourceSeq" INTEGER NOT NULL,
    "mode" TEXT NOT NULL,
    "rekey" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL,
    "checkpoint" JSONB NOT NULL DEFAULT '{}',
    "sealedKeys" BYTEA,
    "result" JSONB,
    "error" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Migration_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Migration_targetAccountId_status_idx" ON "Migration"("targetAccountId", "status");

-- CreateIndex
CREATE INDEX "Migration_sourceAccountId_idx" ON "Migration"("sourceAccountId");

-- AddForeignKey
ALTER TABLE "Migration" ADD CONSTRAINT "Migration_sourceAccountId_fkey" FOREIGN KEY ("sourceAccountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Migration" ADD CONSTRAINT "Migration_targetAccountId_fkey" FOREIGN KEY ("targetAccountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

