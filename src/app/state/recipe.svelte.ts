/**
 * The recipe being built on the Transform page: the steps the registry offers (asked of the transform worker once),
 * the steps chosen with their option drafts, the recipe they stand for, and the core's verdict on it. Every change
 * goes through a method here, which asks the worker to check the new recipe (`parseRecipe`, the same check the
 * CLI and runRecipe make); an answer that arrives after a later change is dropped.
 */
import { transformWorker, type Recipe, type RecipeCheck, type StepInfo } from '../transform-bridge.js';
import { WorkerCallError } from '../worker-handle.js';
import { buildRecipe, draftsFromRecipe, emptyDraft, type BuiltRecipe, type OptionDraft, type OptionSpecs, type StepDraft } from '../recipe-form.js';

/** Why a recipe (or a file meant to hold one) was refused: the core's code and sentence. */
export interface RecipeProblem {
  code: string;
  message: string;
}

class RecipeBuilderState {
  /** The steps a recipe can name; empty until the worker has answered. */
  available = $state.raw<StepInfo[]>([]);
  /** Why the steps could not be listed (the worker failed to start), or null. */
  loadError = $state<string | null>(null);
  drafts = $state<StepDraft[]>([]);
  /** The core's verdict on `built.recipe`, or null while it is being checked (or there is nothing to check). */
  check = $state.raw<RecipeCheck | null>(null);

  readonly built: BuiltRecipe = $derived(buildRecipe(this.drafts, (name) => this.specsOf(name)));
  readonly fieldErrorCount = $derived(Object.keys(this.built.fieldErrors).length);
  /** The recipe as JSON, as the CLI reads it (`omnihub` recipes) and as lineage records it. */
  readonly json = $derived(JSON.stringify(this.built.recipe, null, 2));
  /** The recipe to run: checked by the core and with no field error; null otherwise. */
  readonly runnable: Recipe | null = $derived(
    this.fieldErrorCount === 0 && this.drafts.length > 0 && this.check?.ok ? this.check.recipe : null,
  );
  /** The core's 'bad-recipe' sentence for the current recipe, or null. */
  readonly problem: RecipeProblem | null = $derived(
    this.drafts.length > 0 && this.check && !this.check.ok ? { code: this.check.error.code, message: this.check.error.message } : null,
  );

  #nextId = 1;
  #checks = 0;
  #loading: Promise<void> | null = null;

  specsOf(step: string): OptionSpecs | undefined {
    return this.available.find((s) => s.name === step)?.options;
  }

  infoOf(step: string): StepInfo | undefined {
    return this.available.find((s) => s.name === step);
  }

  /** Lists the registry's steps (once; again after a failure). */
  load(): Promise<void> {
    if (this.available.length > 0) return Promise.resolve();
    this.#loading ??= (async () => {
      try {
        this.available = await transformWorker.steps();
        this.loadError = null;
        this.#changed();
      } catch (e) {
        this.loadError = e instanceof Error ? e.message : String(e);
      } finally {
        this.#loading = null;
      }
    })();
    return this.#loading;
  }

  add(step: string): StepDraft | null {
    const specs = this.specsOf(step);
    if (!specs) return null;
    const draft = emptyDraft(step, specs, this.#nextId++);
    this.drafts.push(draft);
    this.#changed();
    return draft;
  }

  remove(id: number): void {
    this.drafts = this.drafts.filter((d) => d.id !== id);
    this.#changed();
  }

  /** Moves a step up (-1) or down (+1); returns false at either end. */
  move(id: number, delta: -1 | 1): boolean {
    const from = this.drafts.findIndex((d) => d.id === id);
    const to = from + delta;
    if (from < 0 || to < 0 || to >= this.drafts.length) return false;
    const next = [...this.drafts];
    [next[from], next[to]] = [next[to], next[from]];
    this.drafts = next;
    this.#changed();
    return true;
  }

  setValue(id: number, option: string, value: OptionDraft): void {
    const draft = this.drafts.find((d) => d.id === id);
    if (!draft) return;
    draft.values[option] = value;
    this.#changed();
  }

  clear(): void {
    this.drafts = [];
    this.#changed();
  }

  /**
   * Replaces the steps with those of a recipe given as JSON (pasted or from a file). The core checks it first;
   * a refused recipe leaves the steps as they were and comes back as the problem to show.
   */
  async loadJson(text: string): Promise<RecipeProblem | null> {
    await this.load();
    let check: RecipeCheck;
    try {
      check = await transformWorker.checkRecipe(text);
    } catch (e) {
      return { code: e instanceof WorkerCallError ? e.code : 'internal', message: e instanceof Error ? e.message : String(e) };
    }
    if (!check.ok) return { code: check.error.code, message: check.error.message };
    const drafts = draftsFromRecipe(check.recipe, (name) => this.specsOf(name), this.#nextId);
    this.#nextId += drafts.length;
    this.drafts = drafts;
    this.#changed();
    return null;
  }

  /** Asks the worker to check the recipe as it is now; only the answer to the latest change is kept. */
  #changed(): void {
    const sent = ++this.#checks;
    this.check = null;
    if (this.drafts.length === 0 || this.available.length === 0) return;
    const recipe = $state.snapshot(this.built.recipe);
    transformWorker.checkRecipe(recipe).then(
      (check) => {
        if (sent === this.#checks) this.check = check;
      },
      (e: unknown) => {
        if (sent !== this.#checks) return;
        this.check = { ok: false, error: { name: 'OmnihubError', code: e instanceof WorkerCallError ? e.code : 'internal', message: e instanceof Error ? e.message : String(e) } };
      },
    );
  }
}

/** The recipe of the Transform page: kept outside the page, so it survives a visit to another page. */
export const recipeBuilder = new RecipeBuilderState();
