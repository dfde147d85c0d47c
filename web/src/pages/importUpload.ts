// How the Import page sends a file: its preview from the head of a CSV (an XLSX whole), and then only
// the id the server kept the file by, for each later preview and for the import of a file sent whole.
import { api, ApiError, problemText, type ImportPreview } from '../api.js';

/** A CSV is previewed from its head: enough for the first orders of any export, however large the file. */
const HEAD_BYTES = 256 * 1024;
/** An XLSX cannot be cut, and the API previews at most this much. */
const PREVIEW_BYTES = 64 * 1024 ** 2;

export type Preview = { data: ImportPreview } | { problem: string } | { skipped: 'tooLarge' };

/** A file the server keeps since its preview: sent by its id, not again, while it is the file chosen. */
export interface Kept {
  file: File;
  fileId: string;
  /** Sent whole, so it can be imported by its id too (a CSV's preview sends only its head). */
  whole: boolean;
}

const isGone = (err: unknown) => err instanceof ApiError && err.body.error === 'file_gone';

/** Posts `fields` with the kept file's id, or with the file when it is not kept (or no longer). */
export async function sendFile<T>(
  path: string,
  fields: Record<string, string>,
  kept: Kept | null,
  file: () => Blob,
  name: string,
): Promise<T> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  if (kept) {
    form.set('fileId', kept.fileId);
    try {
      return await api<T>(path, { method: 'POST', body: form });
    } catch (err) {
      // Swept after an hour unused: the file goes up once more.
      if (!isGone(err)) throw err;
      form.delete('fileId');
    }
  }
  form.set('file', file(), name);
  return api<T>(path, { method: 'POST', body: form });
}

export async function requestPreview(
  file: File,
  fields: Record<string, string>,
  kept: Kept | null,
): Promise<{ preview: Preview; kept: Kept | null }> {
  const magic = new Uint8Array(await file.slice(0, 4).arrayBuffer());
  const xlsx = magic[0] === 0x50 && magic[1] === 0x4b && magic[2] === 0x03 && magic[3] === 0x04;
  if (xlsx && file.size > PREVIEW_BYTES) return { preview: { skipped: 'tooLarge' }, kept: null };
  const cut = !xlsx && file.size > HEAD_BYTES;
  const reuse = kept?.file === file ? kept : null;
  try {
    const data = await sendFile<ImportPreview>(
      '/api/imports/preview',
      cut ? { ...fields, head: 'true' } : fields,
      reuse,
      () => (cut ? file.slice(0, HEAD_BYTES) : file),
      file.name,
    );
    return { preview: { data }, kept: { file, fileId: data.fileId, whole: !cut } };
  } catch (err) {
    return { preview: { problem: problemText(err) }, kept: reuse };
  }
}
