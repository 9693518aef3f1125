// Bundles the command-line tools and the VS Code extension (Node, cjs) and the chat webview
// (browser), and type-checks the webview with its own tsconfig (DOM libs, no Node).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const production = process.argv.includes('--production');
const require = createRequire(import.meta.url);

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const [, extension] = await Promise.all([
  build({
    ...common,
    entryPoints: {
      'cli/classchat-server': 'src/cli/classchat-server.ts',
      'cli/classchat': 'src/cli/classchat.ts',
    },
    outdir: 'dist',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    banner: { js: '#!/usr/bin/env node' },
  }),
  build({
    ...common,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    // VS Code 1.90 runs extensions on Node 20.
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    metafile: true,
  }),
  build({
    ...common,
    entryPoints: [
      { in: 'webview/main.ts', out: 'webview/main' },
      { in: 'webview/main.css', out: 'webview/main' },
      // Loaded only when the first code block is drawn (webview/highlight-loader.ts).
      { in: 'webview/highlight-bundle.ts', out: 'webview/highlight' },
    ],
    outdir: 'dist',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
  }),
]);

// The extension host must never load the PostgreSQL client (issue 20): only classchat-server
// imports the PostgreSQL store, lazily, for --store postgres://.
const postgresInExtension = Object.keys(extension.metafile.inputs).filter((input) => /(^|\/)node_modules\/pg(-[a-z]+)?\/|src\/server\/store\/postgres\//.test(input));
if (postgresInExtension.length > 0) {
  console.error(`The extension bundle must not include the PostgreSQL store or pg, but it does:\n  ${postgresInExtension.join('\n  ')}`);
  process.exit(1);
}

// The root tsconfig has no DOM types, so the webview is checked here.
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'webview/tsconfig.json', '--noEmit'], { stdio: 'inherit' });
