import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/.next/**', '**/node_modules/**', 'apps/daemon/src/generated/**', '**/next-env.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', URL: 'readonly', fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name=/^(skip|only|todo)$/][callee.object.name=/^(it|test|describe)$/]", message: 'Tests run and assert, or go.' },
      ],
    },
  },
  {
    // Protocol code stays free of framework imports so it can be tested and reused in isolation.
    files: ['apps/daemon/src/sync/**/*.ts', 'apps/daemon/src/export/**/*.ts', 'packages/**/*.ts', 'apps/sandbox/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@nestjs/*', '@prisma/*', 'bullmq', 'ioredis', '**/generated/**'] }],
    },
  },
);
