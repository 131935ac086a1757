/**
 * Hash-based navigation: `#/inspect` (also the empty hash), `#/library`, `#/browse/hf[/owner/repo]`,
 * `#/browse/keras`, `#/browse/torchvision`, `#/browse/onnx-zoo`, `#/settings`. The hash works with any static host
 * and with the service worker's offline copy (every route is the same index.html), and the browser's back and
 * forward buttons move between pages.
 */

export type CatalogSource = 'keras' | 'torchvision' | 'onnx-zoo';
export type BrowseSource = 'hf' | CatalogSource;

export type Route =
  | { page: 'inspect' }
  | { page: 'library' }
  | { page: 'settings' }
  | { page: 'browse'; source: 'hf'; repo?: string }
  | { page: 'browse'; source: CatalogSource };

const CATALOGS: readonly CatalogSource[] = ['keras', 'torchvision', 'onnx-zoo'];

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  switch (parts[0]) {
    case 'library':
      return { page: 'library' };
    case 'settings':
      return { page: 'settings' };
    case 'browse': {
      const source = parts[1];
      if (source === 'hf' || source === undefined) {
        return parts.length >= 4 ? { page: 'browse', source: 'hf', repo: `${parts[2]}/${parts[3]}` } : { page: 'browse', source: 'hf' };
      }
      if ((CATALOGS as readonly string[]).includes(source)) return { page: 'browse', source: source as CatalogSource };
      return { page: 'browse', source: 'hf' };
    }
    default:
      return { page: 'inspect' };
  }
}

export function hrefFor(route: Route): string {
  switch (route.page) {
    case 'browse':
      if (route.source === 'hf' && route.repo) return `#/browse/hf/${route.repo.split('/').map(encodeURIComponent).join('/')}`;
      return `#/browse/${route.source}`;
    default:
      return `#/${route.page}`;
  }
}

class Router {
  route = $state.raw<Route>(parseHash(typeof location === 'undefined' ? '' : location.hash));
  /** Bumped on each navigation after the first page, so a page can move focus to its heading then (not on load). */
  navigations = $state(0);

  constructor() {
    if (typeof window === 'undefined') return;
    window.addEventListener('hashchange', () => {
      this.route = parseHash(location.hash);
      this.navigations++;
    });
  }

  go(route: Route): void {
    const href = hrefFor(route);
    if (location.hash === href) return;
    location.hash = href;
  }
}

export const router = new Router();
