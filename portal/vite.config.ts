import { fileURLToPath } from 'node:url';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, type Plugin } from 'vite';
import { SIGN_IN_SCRIPT } from './src/lib/portal/signInScript';

/**
 * Builds the sign-in page's script as one more entry of SvelteKit's client build, at a fixed
 * address: the page renders without SvelteKit's client, so nothing else would name its file. It
 * shares the client's chunks (the login library among them), which keep their hashed names.
 */
function signInScript(): Plugin {
  let client = false;
  return {
    name: 'wisp:sign-in-script',
    apply: 'build',
    configResolved(config) {
      client = !config.build.ssr;
    },
    options(options) {
      if (!client) return;
      const input = options.input;
      if (!input || typeof input !== 'object' || Array.isArray(input)) throw new Error('SvelteKit’s client build names its entries: found none to add the sign-in script to.');
      return { ...options, input: { ...input, [SIGN_IN_SCRIPT.name]: fileURLToPath(new URL(SIGN_IN_SCRIPT.source, import.meta.url)) } };
    },
    outputOptions(output) {
      if (!client) return;
      const named = output.entryFileNames;
      return {
        ...output,
        entryFileNames: (chunk) => (chunk.isEntry && chunk.name === SIGN_IN_SCRIPT.name ? SIGN_IN_SCRIPT.file : typeof named === 'function' ? named(chunk) : (named ?? '[name].js')),
      };
    },
  };
}

export default defineConfig({
  plugins: [sveltekit(), signInScript()],
  server: {
    // `{slug}.localhost` names a tenant in development, so any *.localhost host must be accepted.
    allowedHosts: ['.localhost'],
  },
  preview: {
    allowedHosts: ['.localhost'],
  },
});
