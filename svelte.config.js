import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

export default {
  // TypeScript in <script lang="ts"> and <style> preprocessing, as in the create-vite svelte-ts template.
  preprocess: vitePreprocess(),
};
