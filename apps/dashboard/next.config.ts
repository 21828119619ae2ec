import type { NextConfig } from 'next';

// Served behind reverse proxies at a path prefix (e.g. /syncvault) when SYNCVAULT_BASE_PATH is set.
// Next.js bakes the base path into the build, so the browser code gets the same value baked in too
// (it prefixes its own fetch and EventSource URLs with it).
const basePath = process.env['SYNCVAULT_BASE_PATH'] ?? '';

const config: NextConfig = {
  basePath: basePath || undefined,
  env: { SYNCVAULT_BASE_PATH: basePath },
  // The browser tests build a second copy with another base path beside the default one.
  distDir: process.env['SYNCVAULT_DASHBOARD_DIST_DIR'] || '.next',
  output: 'standalone',
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
