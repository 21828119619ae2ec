#!/usr/bin/env node
// Checked in (and executable) so `npx syncvault` works straight after install; the CLI itself is compiled.
import '../dist/src/cli.js';
