/**
 * Hash-based navigation: `#/inspect` (also the empty hash), `#/library`, `#/browse/hf[/owner/repo]`,
 * `#/browse/keras`, `#/browse/torchvision`, `#/browse/onnx-zoo`, `#/transform[/<framework>/<name>[/<file path>]]`,
 * `#/convert[/<framework>/<name>]`,
 * `#/settings`. The hash works with any static host
 * and with the service worker's offline copy (every route is the same index.html), and the browser's back and
 * forward buttons move between pages.
 */

export type CatalogSource = 'keras' | 'torchvision' | 'onnx-zoo';
export type BrowseSource = 'hf' | CatalogSource;

export type Route =
  | { page: 'inspect' }
  | { page: 'library' }
  | { page: 'settings' }
  /** The Transform page, optionally with a library entry (and one of its ONNX files) chosen. */
  | { page: 'transform'; entryId?: string; path?: string }
  /** The Convert page, optionally with a library entry chosen. */
  | { page: 'convert'; entryId?: string }
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
    case 'transform':
      // Entry ids are `<framework>/<name>` (a name has no `/`); what follows is the file's path inside the entry.
      if (parts.length < 3) return { page: 'transform' };
      return parts.length > 3
        ? { page: 'transform', entryId: `${parts[1]}/${parts[2]}`, path: parts.slice(3).join('/') }
        : { page: 'transform', entryId: `${parts[1]}/${parts[2]}` };
    case 'convert':
      return parts.length >= 3 ? { page: 'convert', entryId: `${parts[1]}/${parts[2]}` } : { page: 'convert' };
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
    case 'transform': {
      const segments = [route.entryId, route.path].filter((s): s is string => !!s).flatMap((s) => s.split('/'));
      return ['#/transform', ...segments.map(encodeURIComponent)].join('/');
    }
    case 'convert':
      return route.entryId ? `#/convert/${route.entryId.split('/').map(encodeURIComponent).join('/')}` : '#/convert';
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
