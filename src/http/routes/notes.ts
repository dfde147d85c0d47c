import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  addNote,
  editNote,
  listNotes,
  NoteInput,
  removeNote,
  type NoteWriter,
} from '../../customers/notes.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { CustomerParams, errors } from '../schemas.js';

const Note = z.object({
  noteId: z.uuid(),
  customerId: z.uuid(),
  body: z.string(),
  staffId: z.uuid().nullable().describe('the staff member who wrote it; null when an API key did'),
  author: z.string().describe('the writer\'s name then (an API key\'s: API key "NAME")'),
  createdAt: z.iso.datetime(),
  editedAt: z.iso.datetime().nullable().describe('when its words were last corrected'),
});

export const noteRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    const writer = (request: FastifyRequest): NoteWriter =>
      request.staff
        ? { staffId: request.staff.staffId, name: request.staff.name, role: request.staff.role }
        : { apiKey: request.apiKey!.name };

    app.get(
      '/api/customers/:customerId/notes',
      {
        schema: {
          tags: ['customers'],
          summary: 'The notes staff keep on the customer, newest first',
          params: CustomerParams,
          response: { 200: z.object({ items: z.array(Note) }), ...errors },
        },
      },
      async (request) => ({ items: await listNotes(o.db, request.shopId, request.params.customerId) }),
    );

    app.post(
      '/api/customers/:customerId/notes',
      {
        schema: {
          tags: ['customers'],
          summary:
            'Keep a note on the customer (a preference, a promise, what a call was about): shown on the profile and its timeline, part of their personal data (copied with it, erased with it)',
          params: CustomerParams,
          body: NoteInput,
          response: { 201: Note, ...errors },
        },
      },
      async (request, reply) => {
        const note = await addNote(
          o.db,
          request.shopId,
          request.params.customerId,
          request.body,
          writer(request),
        );
        request.activityParams = { customerId: note.customerId, noteId: note.noteId };
        return reply.code(201).send(note);
      },
    );

    app.patch(
      '/api/customers/:customerId/notes/:noteId',
      {
        schema: {
          tags: ['customers'],
          summary:
            "Correct a note's words (its author, an admin or the owner; an API key those API keys wrote): who wrote it and when stay, editedAt says when",
          params: CustomerParams.extend({ noteId: z.string() }),
          body: NoteInput,
          response: { 200: Note, ...errors },
        },
      },
      async (request) =>
        editNote(
          o.db,
          request.shopId,
          request.params.customerId,
          request.params.noteId,
          request.body,
          writer(request),
        ),
    );

    app.delete(
      '/api/customers/:customerId/notes/:noteId',
      {
        schema: {
          tags: ['customers'],
          summary:
            "Remove a note: its author may, and an admin or the owner may remove anyone's (403 otherwise); an API key removes notes API keys wrote",
          params: CustomerParams.extend({ noteId: z.string() }),
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        await removeNote(
          o.db,
          request.shopId,
          request.params.customerId,
          request.params.noteId,
          writer(request),
        );
        return reply.code(204).send(null);
      },
    );
  };
