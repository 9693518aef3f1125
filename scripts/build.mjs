// Bundles the command-line tools (Node). The extension and webview entry points join here.
import { build } from 'esbuild';

const production = process.argv.includes('--production');

await build({
  entryPoints: {
    'cli/classchat-server': 'src/cli/classchat-server.ts',
    'cli/classchat': 'src/cli/classchat.ts',
  },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: production,
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
