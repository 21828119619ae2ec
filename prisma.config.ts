import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

// Prisma's native engines are downloaded at run time, which these machines cannot do:
// the JS engine with the pg driver adapter works fully offline (see docs/environment notes in README).
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  adapter: async () => new PrismaPg({ connectionString: process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/syncvault' }),
});
