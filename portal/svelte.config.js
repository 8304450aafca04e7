import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  compilerOptions: {
    // Runes everywhere in our own code; libraries keep whatever mode they were written in.
    runes: ({ filename }) => (filename.split(/[/\\]/).includes('node_modules') ? undefined : true),
  },
  kit: {
    adapter: adapter({ out: 'build' }),
    // SvelteKit writes script-src with a nonce (or hash) for its own inline scripts; the rest of the
    // policy (gateway, Firebase, frame-ancestors) is added per response in hooks.server.ts.
    csp: { mode: 'auto', directives: { 'script-src': ['self'] } },
    // One portal serves many hosts, over http in development and behind a TLS proxy in production,
    // so the origin a form post must come from is the request's own host: hooks.server.ts checks it.
    csrf: { checkOrigin: false },
  },
};

export default config;
