import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GatewayPlugin } from '../../core/plugin.ts';

export const EXPLORER_PATH = '/explorer';

const require = createRequire(import.meta.url);

/** A file inside an installed package (its `exports` do not list the UMD builds). */
function packageFile(name: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${name}/package.json`)), file);
}

/** The files the page loads, all from this gateway: GraphiQL and React from node_modules, the page's own script. */
const ASSETS: Record<string, { file: string; type: string }> = {
  'graphiql.min.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css; charset=utf-8' },
  'graphiql.min.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript; charset=utf-8' },
  'react.production.min.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript; charset=utf-8' },
  'react-dom.production.min.js': { file: packageFile('react-dom', 'umd/react-dom.production.min.js'), type: 'text/javascript; charset=utf-8' },
  'page.js': { file: fileURLToPath(new URL('./page.js', import.meta.url)), type: 'text/javascript; charset=utf-8' },
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Privacy gateway explorer</title>
<link rel="stylesheet" href="${EXPLORER_PATH}/graphiql.min.css">
<style>html, body, #explorer { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="explorer">Loading the explorer…</div>
<script src="${EXPLORER_PATH}/react.production.min.js"></script>
<script src="${EXPLORER_PATH}/react-dom.production.min.js"></script>
<script src="${EXPLORER_PATH}/graphiql.min.js"></script>
<script src="${EXPLORER_PATH}/page.js"></script>
</body>
</html>
`;

/**
 * The page may load and call this gateway only: no CDN, no telemetry, no third-party frame. GraphiQL sets inline
 * styles and embeds its icons as data: URLs.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * A GraphiQL explorer at `/explorer` (development only), served from the project's own dependencies: it works
 * offline, sends nothing elsewhere, keeps nothing in the browser, and has the Authorization and x-purpose headers
 * ready to fill in. `/` leads there.
 * @example startGateway({ …, plugins: production ? [] : [useExplorer()] })
 */
export function useExplorer(): GatewayPlugin {
  const assets = new Map(Object.entries(ASSETS).map(([name, asset]) => [name, { body: readFileSync(asset.file), type: asset.type }]));
  return {
    name: 'explorer',
    routes(app) {
      app.get('/', async (_request, reply) => reply.redirect(EXPLORER_PATH));
      app.get(EXPLORER_PATH, async (_request, reply) =>
        reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').send(PAGE),
      );
      app.get<{ Params: { name: string } }>(`${EXPLORER_PATH}/:name`, async (request, reply) => {
        const asset = assets.get(request.params.name);
        if (!asset) return reply.callNotFound();
        return reply.header('content-type', asset.type).header('x-content-type-options', 'nosniff').send(asset.body);
      });
    },
  };
}
