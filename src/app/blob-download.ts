/**
 * Offers a Blob as a file download through a temporary link. Each downloader keeps one object URL: the next download
 * revokes the previous one, and `dispose` (a component's teardown) revokes the last, so a Blob's memory is freed once
 * nothing can use it. Revoking right after click() would race the browser's download on large files.
 */
export class BlobDownloader {
  #url: string | null = null;

  save(blob: Blob, fileName: string, testid?: string): void {
    this.dispose();
    this.#url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = this.#url;
    link.download = fileName;
    if (testid) link.dataset.testid = testid;
    link.click();
  }

  dispose(): void {
    if (this.#url) URL.revokeObjectURL(this.#url);
    this.#url = null;
  }
}
