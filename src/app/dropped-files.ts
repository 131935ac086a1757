/**
 * The files of a drop, with folders walked (a dropped TensorFlow SavedModel is a folder with variables/ inside).
 * DataTransfer.files lists a dropped folder as one unreadable entry; its items' FileSystemEntry tree has the files.
 * Each file comes with its path inside the drop ('model/variables/variables.index'); a loose file's path is its name.
 */
export interface DroppedFile {
  file: File;
  path: string;
}

/** At most this many files and folder levels: a huge folder dropped by mistake is not walked to the end. */
const MAX_FILES = 10_000;
const MAX_DEPTH = 8;

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function childrenOf(entry: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = entry.createReader();
  const all: FileSystemEntry[] = [];
  // readEntries returns the children in batches, an empty one at the end.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

async function walk(entry: FileSystemEntry, path: string, depth: number, out: DroppedFile[]): Promise<void> {
  if (out.length >= MAX_FILES) return;
  if (entry.isFile) out.push({ file: await fileOf(entry as FileSystemFileEntry), path });
  else if (entry.isDirectory && depth < MAX_DEPTH) {
    for (const child of await childrenOf(entry as FileSystemDirectoryEntry)) await walk(child, `${path}/${child.name}`, depth + 1, out);
  }
}

/** The dropped files, folders walked; without entry support (or on failure) the plain file list. */
export async function droppedFiles(transfer: DataTransfer): Promise<DroppedFile[]> {
  const plain = [...transfer.files].map((file) => ({ file, path: file.name }));
  // The entries must be taken synchronously, while the drop event is being handled.
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (!entries.some((e) => e.isDirectory)) return plain;
  try {
    const out: DroppedFile[] = [];
    for (const entry of entries) await walk(entry, entry.name, 0, out);
    return out;
  } catch {
    return plain;
  }
}
