// Notes staff keep on a customer (migration 0043): what no field holds, with who wrote it and when. A
// note is corrected or removed by its author or by an admin (an integration's by API keys), and says
// when it was last corrected (migration 0047). The timeline reads notes from their own rows
// (timeline.ts), and erasure, merges and a copy of the person's data treat them as the person's own
// (erasure.ts, merge.ts, personalData.ts).
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { derivedId, isUuid, uuidv7 } from '../db/ids.js';
import { AppError } from '../errors.js';
import { allows, type Role } from '../shops/roles.js';
import { getCustomer } from './customers.js';
import { assertNotErased } from './erasure.js';

export const NoteInput = z.strictObject({
  body: z
    .string()
    .trim()
    .min(1, 'write something')
    .max(4000, 'at most 4,000 characters')
    .describe('the note, as plain text'),
});
export type NoteInput = z.infer<typeof NoteInput>;

export interface Note {
  noteId: string;
  customerId: string;
  body: string;
  staffId: string | null;
  author: string;
  createdAt: Date;
  editedAt: Date | null;
}

/** Who writes or removes a note: a staff member (with their role), or an integration's API key. */
export type NoteWriter = { staffId: string; name: string; role: Role } | { apiKey: string };

const columns = `note_id as "noteId", customer_id as "customerId", body, staff_id as "staffId", author,
  created_at as "createdAt", edited_at as "editedAt"`;

/** The customer's notes, newest first (a merged id reads its survivor's). */
export async function listNotes(db: Queryable, shopId: string, customerId: string): Promise<Note[]> {
  const customer = await getCustomer(db, shopId, customerId);
  return db.query<Note>(
    `select ${columns} from customer_notes where shop_id = $1 and customer_id = $2
      order by created_at desc, note_id desc`,
    [shopId, customer.customerId],
  );
}

export async function addNote(
  db: Queryable,
  shopId: string,
  customerId: string,
  input: NoteInput,
  writer: NoteWriter,
  at = new Date(),
): Promise<Note> {
  const customer = await getCustomer(db, shopId, customerId);
  assertNotErased(customer, 'body');
  const [note] = await db.query<Note>(
    `insert into customer_notes (shop_id, note_id, customer_id, body, staff_id, author, created_at)
     values ($1, $2, $3, $4, $5, $6, $7) returning ${columns}`,
    [
      shopId,
      uuidv7(at.getTime()),
      customer.customerId,
      input.body,
      'staffId' in writer ? writer.staffId : null,
      'staffId' in writer ? writer.name : `API key "${writer.apiKey}"`,
      at.toISOString(),
    ],
  );
  return note!;
}

/**
 * The customer's note `noteId`, if `writer` may change it: its author may, and an admin or owner may
 * change anyone's (a note that should not have been written); an integration those its keys wrote.
 */
async function noteToChange(
  db: Queryable,
  shopId: string,
  customerId: string,
  noteId: string,
  writer: NoteWriter,
  doing: 'edit' | 'remove',
): Promise<Note> {
  const customer = await getCustomer(db, shopId, customerId);
  if (!isUuid(noteId)) throw AppError.notFound('Note');
  const [note] = await db.query<Note>(
    `select ${columns} from customer_notes where shop_id = $1 and customer_id = $2 and note_id = $3`,
    [shopId, customer.customerId, noteId],
  );
  if (!note) throw AppError.notFound('Note');
  const may =
    'staffId' in writer
      ? note.staffId === writer.staffId || allows(writer.role, 'administer')
      : note.staffId === null;
  if (!may)
    throw new AppError(
      'forbidden',
      403,
      `${note.author} wrote this note: only they, an admin or the owner can ${doing} it`,
    );
  return note;
}

/** Corrects a note's words, keeping who wrote it and when, and noting when it was corrected. */
export async function editNote(
  db: Queryable,
  shopId: string,
  customerId: string,
  noteId: string,
  input: NoteInput,
  writer: NoteWriter,
  at = new Date(),
): Promise<Note> {
  const note = await noteToChange(db, shopId, customerId, noteId, writer, 'edit');
  if (note.body === input.body) return note;
  const [edited] = await db.query<Note>(
    `update customer_notes set body = $3, edited_at = $4 where shop_id = $1 and note_id = $2
     returning ${columns}`,
    [shopId, noteId, input.body, at.toISOString()],
  );
  return edited!;
}

export async function removeNote(
  db: Queryable,
  shopId: string,
  customerId: string,
  noteId: string,
  writer: NoteWriter,
): Promise<void> {
  await noteToChange(db, shopId, customerId, noteId, writer, 'remove');
  await db.query('delete from customer_notes where shop_id = $1 and note_id = $2', [shopId, noteId]);
}

/** Moves the merged profiles' notes to the survivor. */
export async function carryNotes(
  tx: Queryable,
  shopId: string,
  survivorId: string,
  otherIds: string[],
): Promise<void> {
  await tx.query(
    'update customer_notes set customer_id = $2 where shop_id = $1 and customer_id = any($3::uuid[])',
    [shopId, survivorId, otherIds],
  );
}

/**
 * The notes a customers export carries (Shopify's "Note"), one per person, written by `author` (the
 * import). Each is named by the person's first identity in the file and its text, so importing the file
 * again adds nothing, even once the person was merged into another profile.
 */
export async function importNotes(
  tx: Queryable,
  shopId: string,
  notes: { customerId: string; identity: string; body: string }[],
  author: string,
  at: Date,
): Promise<void> {
  if (notes.length === 0) return;
  await tx.query(
    `insert into customer_notes (shop_id, note_id, customer_id, body, staff_id, author, created_at)
     select $1, ${derivedId(`'import-note:' || $1::uuid::text || n.identity || ':' || n.body`)}, n.customer_id, n.body,
            null, $5, $6
       from unnest($2::uuid[], $3::text[], $4::text[]) as n(customer_id, identity, body)
     on conflict (shop_id, note_id) do nothing`,
    [
      shopId,
      notes.map((n) => n.customerId),
      notes.map((n) => n.identity),
      notes.map((n) => n.body),
      author,
      at.toISOString(),
    ],
  );
}
