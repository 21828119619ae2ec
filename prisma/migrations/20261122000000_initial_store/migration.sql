-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "AccountKind" AS ENUM ('mozilla', 'selfhosted15', 'legacy11');

-- CreateEnum
CREATE TYPE "SnapshotStatus" AS ENUM ('running', 'complete', 'failed');

-- CreateTable
CREATE TABLE "Account" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "AccountKind" NOT NULL,
    "email" TEXT NOT NULL,
    "fxaUrl" TEXT,
    "tokenServerUrl" TEXT,
    "serverUrl" TEXT,
    "storageUrl" TEXT,
    "sealedSecrets" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Snapshot" (
    "id" BIGSERIAL NOT NULL,
    "accountId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "status" "SnapshotStatus" NOT NULL,
    "trigger" TEXT NOT NULL,
    "tags" TEXT[],
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "keyFingerprint" TEXT,
    "collections" JSONB NOT NULL DEFAULT '{}',
    "versionsAdded" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "Snapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Blob" (
    "hash" BYTEA NOT NULL,
    "payload" TEXT NOT NULL,
    "size" INTEGER NOT NULL,

    CONSTRAINT "Blob_pkey" PRIMARY KEY ("hash")
);

-- CreateTable
CREATE TABLE "RecordVersion" (
    "id" BIGSERIAL NOT NULL,
    "accountId" UUID NOT NULL,
    "collection" TEXT NOT NULL,
    "bsoId" TEXT NOT NULL,
    "blobHash" BYTEA NOT NULL,
    "modified" BIGINT NOT NULL,
    "sortindex" INTEGER,
    "fromSeq" INTEGER NOT NULL,
    "toSeq" INTEGER,
    "hmacValid" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "RecordVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Account_name_key" ON "Account"("name");

-- CreateIndex
CREATE INDEX "Snapshot_accountId_status_idx" ON "Snapshot"("accountId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Snapshot_accountId_seq_key" ON "Snapshot"("accountId", "seq");

-- CreateIndex
CREATE INDEX "RecordVersion_accountId_collection_bsoId_idx" ON "RecordVersion"("accountId", "collection", "bsoId");

-- CreateIndex
CREATE INDEX "RecordVersion_accountId_fromSeq_idx" ON "RecordVersion"("accountId", "fromSeq");

-- CreateIndex
CREATE INDEX "RecordVersion_accountId_toSeq_idx" ON "RecordVersion"("accountId", "toSeq");

-- CreateIndex
CREATE INDEX "RecordVersion_blobHash_idx" ON "RecordVersion"("blobHash");

-- AddForeignKey
ALTER TABLE "Snapshot" ADD CONSTRAINT "Snapshot_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecordVersion" ADD CONSTRAINT "RecordVersion_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

