-- A generated admin password must be replaced at the next dashboard sign-in.
ALTER TABLE "AdminUser" ADD COLUMN "mustChangePassword" BOOLEAN NOT NULL DEFAULT false;

-- Health alerts the admin has seen and dismissed.
ALTER TABLE "HealthAlert" ADD COLUMN "acknowledgedAt" TIMESTAMP(3);
