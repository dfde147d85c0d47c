// Column mappings saved by name: the format, the source name and the field → column choices of a kind of
// file a shop imports again and again, checked as an import checks them.
import { z } from 'zod';
import { isUniqueViolation, type Queryable } from '../db/db.js';
import { isUuid, uuidv7 } from '../db/ids.js';
import { AppError } from '../errors.js';
import { FIELDS, FORMAT_NAMES, type FormatName } from './formats.js';
import { checkImportOptions } from './imports.js';
import type { Mapping } from './rows.js';

export const SavedMappingInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  format: z.enum(FORMAT_NAMES),
  source: z.string().optional(),
  mapping: z.partialRecord(z.enum(FIELDS), z.string()),
});
export type SavedMappingInput = z.input<typeof SavedMappingInput>;

export interface SavedMapping {
  mappingId: string;
  name: string;
  format: FormatName;
  source: string;
  mapping: Mapping;
  createdAt: Date;
  updatedAt: Date;
}

const columns = `mapping_id as "mappingId", name, format, source, mapping, created_at as "createdAt",
  updated_at as "updatedAt"`;

export async function listSavedMappings(db: Queryable, shopId: string): Promise<SavedMapping[]> {
  return db.query<SavedMapping>(`select ${columns} from import_mappings where shop_id = $1 order by name`, [
    shopId,
  ]);
}

export async function getSavedMapping(
  db: Queryable,
  shopId: string,
  mappingId: string,
): Promise<SavedMapping> {
  if (!isUuid(mappingId)) throw AppError.notFound('Saved mapping');
  const [row] = await db.query<SavedMapping>(
    `select ${columns} from import_mappings where shop_id = $1 and mapping_id = $2`,
    [shopId, mappingId],
  );
  if (!row) throw AppError.notFound('Saved mapping');
  return row;
}

/** A saved mapping by its name (the CLI's --saved-mapping). */
export async function savedMappingNamed(db: Queryable, shopId: string, name: string): Promise<SavedMapping> {
  const [row] = await db.query<SavedMapping>(
    `select ${columns} from import_mappings where shop_id = $1 and name = $2`,
    [shopId, name],
  );
  if (!row) throw new AppError('not_found', 404, `No saved mapping named '${name}'`);
  return row;
}

/** Saves a new mapping, or replaces the one with `mappingId`; a name another mapping has is refused. */
export async function saveMapping(
  db: Queryable,
  shopId: string,
  input: SavedMappingInput,
  mappingId?: string,
): Promise<SavedMapping> {
  const m = SavedMappingInput.parse(input);
  if (Object.keys(m.mapping).length === 0) {
    throw AppError.invalid('A saved mapping maps at least one field', [
      { field: 'mapping', message: 'empty' },
    ]);
  }
  const checked = checkImportOptions({ format: m.format, source: m.source, mapping: m.mapping as Mapping });
  if (mappingId) await getSavedMapping(db, shopId, mappingId);
  const [saved] = await db
    .query<SavedMapping>(
      `insert into import_mappings (shop_id, mapping_id, name, format, source, mapping) values ($1, $2, $3, $4, $5, $6)
       on conflict (shop_id, mapping_id) do update
         set name = excluded.name, format = excluded.format, source = excluded.source,
             mapping = excluded.mapping, updated_at = now()
       returning ${columns}`,
      [
        shopId,
        mappingId ?? uuidv7(),
        m.name,
        checked.format,
        checked.source,
        JSON.stringify(checked.mapping),
      ],
    )
    .catch((err: unknown) => {
      if (isUniqueViolation(err)) {
        throw AppError.invalid('Mapping name taken', [{ field: 'name', message: `'${m.name}' exists` }]);
      }
      throw err;
    });
  return saved!;
}

export async function deleteSavedMapping(db: Queryable, shopId: string, mappingId: string): Promise<void> {
  await getSavedMapping(db, shopId, mappingId);
  await db.query('delete from import_mappings where shop_id = $1 and mapping_id = $2', [shopId, mappingId]);
}
