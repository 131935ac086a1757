/**
 * Hub settings of this device: the Hub URL (https://huggingface.co, or a mirror) and an access token for gated or
 * private repositories. Kept in localStorage under SETTINGS_KEY as JSON `{"hubUrl": "…", "accessToken": "…"}`
 * (tests may set it with `page.addInitScript` before the app loads) and handed to the library worker, which sends
 * the token to the Hub URL's origin only. The token is never logged nor shown back in full.
 */
import { DEFAULT_HUB_URL } from '../../core/sources/hf/hub.js';
import { libraryWorker, type HubSettings } from '../library-bridge.js';

export const SETTINGS_KEY = 'omnihub.hub-settings';

function load(): HubSettings {
  try {
    const raw = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? 'null') as Partial<HubSettings> | null;
    if (raw && typeof raw.hubUrl === 'string' && /^https?:\/\//i.test(raw.hubUrl)) {
      return { hubUrl: raw.hubUrl, ...(typeof raw.accessToken === 'string' && raw.accessToken && { accessToken: raw.accessToken }) };
    }
  } catch {
    // Unreadable settings: the defaults.
  }
  return { hubUrl: DEFAULT_HUB_URL };
}

/** Checks a hub URL typed by the user; returns the normalized URL or throws with a sentence. */
export function checkHubUrl(text: string): string {
  const trimmed = text.trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Error(`'${text}' is not a URL; enter one such as ${DEFAULT_HUB_URL}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('The hub URL must start with https:// (or http:// for a local mirror).');
  return trimmed;
}

class SettingsState {
  hubUrl = $state(DEFAULT_HUB_URL);
  hasToken = $state(false);
  #token: string | undefined;

  constructor() {
    if (typeof localStorage === 'undefined') return;
    const s = load();
    this.hubUrl = s.hubUrl;
    this.#token = s.accessToken;
    this.hasToken = !!s.accessToken;
    void libraryWorker.configure(s).catch(() => {});
  }

  get isDefaultHub(): boolean {
    return this.hubUrl === DEFAULT_HUB_URL;
  }

  /**
   * Saves the hub URL and, when `token` is given, the token ('' removes it). Throws with a sentence when the URL
   * is not one.
   */
  async save(hubUrl: string, token?: string): Promise<void> {
    const url = checkHubUrl(hubUrl);
    const accessToken = token === undefined ? this.#token : token.trim() || undefined;
    const next: HubSettings = { hubUrl: url, ...(accessToken && { accessToken }) };
    await libraryWorker.configure(next);
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(next));
    this.hubUrl = url;
    this.#token = accessToken;
    this.hasToken = !!accessToken;
  }
}

export const settings = new SettingsState();
