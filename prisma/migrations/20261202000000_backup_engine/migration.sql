-- AlterTable
ALTER TABLE "Account" ADD COLUMN     "alertSettings" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "retention" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "schedule" TEXT,
ADD COLUMN     "signAsOrigin" TEXT;

-- AlterTable
ALTER TABLE "Snapshot" ADD COLUMN     "stats" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "KeyBundle" (
    "id" BIGSERIAL NOT NULL,
    "accountId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "sealed" BYTEA NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "KeyBundle_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HealthAlert" (
    "id" BIGSERIAL NOT NULL,
    "accountId" UUID NOT NULL,
    "snapshotSeq" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "collection" TEXT,
    "message" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "HealthAlert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AdminUser" (
    "id" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AdminUser_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuthToken" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT,
    "tokenHash" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),

    CONSTRAINT "AuthToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "KeyBundle_accountId_kind_fingerprint_key" ON "KeyBundle"("accountId", "kind", "fingerprint");

-- CreateIndex
CREATE INDEX "HealthAlert_accountId_createdAt_idx" ON "HealthAlert"("accountId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "AdminUser_username_key" ON "AdminUser"("username");

-- CreateIndex
CREATE UNIQUE INDEX "AuthToken_tokenHash_key" ON "AuthToken"("tokenHash");

-- AddForeignKey
ALTER TABLE "KeyBundle" ADD CONSTRAINT "KeyBundle_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HealthAlert" ADD CONSTRAINT "HealthAlert_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

