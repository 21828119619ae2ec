import type { NextConfig } from 'next';

// Served behind reverse proxies at a path prefix (e.g. /syncvault) when SYNCVAULT_BASE_PATH is set.
const config: NextConfig = {
  basePath: process.env['SYNCVAULT_BASE_PATH'] || undefined,
  output: 'standalone',
  poweredByHeader: false,
  reactStrictMode: true,
};

export default config;
