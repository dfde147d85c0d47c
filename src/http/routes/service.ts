import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  CASE_CHANNELS,
  CASE_KINDS,
  CASE_STATUSES,
  CaseInput,
  CaseQuery,
  CaseUpdate,
  getCase,
  listCases,
  listCustomerCases,
} from '../../service/cases.js';
import { openCase, updateCase, type CaseWriter } from '../../service/desk.js';
import { CaseIntake, takeCase } from '../../service/intake.js';
import { ServiceHours, serviceHours, setServiceHours } from '../../service/hours.js';
import { ServiceRota, serviceRota, setServiceRota } from '../../service/rota.js';
import { ServiceTargets, serviceTargets, setServiceTargets } from '../../service/targets.js';
import { getShop } from '../../shops/shops.js';
import type { AppOptions } from '../app.js';
import type { ApiPlugin } from '../plugin.js';
import { CustomerParams, errors } from '../schemas.js';

const ts = z.iso.datetime();
const ServiceCase = z.object({
  caseId: z.uuid(),
  customerId: z.uuid(),
  kind: z.enum(CASE_KINDS),
  channel: z.enum(CASE_CHANNELS),
  status: z.enum(CASE_STATUSES),
  subject: z.string(),
  body: z.string().nullable(),
  orderId: z.uuid().nullable(),
  orderExternalId: z.string().nullable().describe("the order's number in its source"),
  rating: z.number().int().nullable(),
  source: z.string().describe("console, api, or the help desk's name"),
  externalId: z.string().nullable().describe("the ticket's id in its help desk"),
  openedAt: ts,
  openedBy: z.string().describe('the staff member, API key or help desk that opened it'),
  resolvedAt: ts.nullable(),
  resolvedBy: z.string().nullable(),
  resolution: z.string().nullable(),
  assignedTo: z.uuid().nullable().describe('the staff member handling it'),
  assigneeName: z.string().nullable(),
  dueAt: ts.nullable().describe("when the shop's target for its kind says it should be resolved"),
  priority: z
    .boolean()
    .describe("whether the customer's tier grants the priority service channel (today's tier)"),
  updatedAt: ts,
});
const CaseParams = z.object({ caseId: z.string() });

export const serviceRoutes =
  (o: AppOptions): ApiPlugin =>
  async (app) => {
    const writer = (request: FastifyRequest): CaseWriter =>
      request.staff ? { name: request.staff.name } : { name: `API key "${request.apiKey!.name}"` };
    const source = (request: FastifyRequest) => (request.staff ? 'console' : 'api');

    app.get(
      '/api/customers/:customerId/service-cases',
      {
        schema: {
          tags: ['service'],
          summary:
            "The customer's service history (inquiries, after-sale, complaints, disputes, reviews), newest first",
          params: CustomerParams,
          response: { 200: z.object({ items: z.array(ServiceCase) }), ...errors },
        },
      },
      async (request) => ({
        items: await listCustomerCases(o.db, request.shopId, request.params.customerId),
      }),
    );

    app.post(
      '/api/customers/:customerId/service-cases',
      {
        schema: {
          tags: ['service'],
          summary:
            'Open a service case on the customer: on their profile and timeline, in the service queue, for segments ("an open complaint") until resolved',
          params: CustomerParams,
          body: CaseInput,
          response: { 201: ServiceCase, ...errors },
        },
      },
      async (request, reply) => {
        const serviceCase = await openCase(
          o.db,
          request.shopId,
          request.params.customerId,
          request.body,
          writer(request),
          source(request),
        );
        request.activityParams = { customerId: serviceCase.customerId, caseId: serviceCase.caseId };
        return reply.code(201).send(serviceCase);
      },
    );

    app.post(
      '/api/service-cases',
      {
        schema: {
          tags: ['service'],
          summary:
            'A ticket from a help desk or platform: its person is found by their identities (or a profile made) and the case opened (201); the same source and externalId sent again updates the case to what the ticket now says (200)',
          body: CaseIntake,
          response: { 200: ServiceCase, 201: ServiceCase, ...errors },
        },
      },
      async (request, reply) => {
        const r = await takeCase(o.db, await getShop(o.db, request.shopId), request.body);
        request.activityParams = { customerId: r.serviceCase.customerId, caseId: r.serviceCase.caseId };
        return reply.code(r.created ? 201 : 200).send(r.serviceCase);
      },
    );

    app.get(
      '/api/service-cases',
      {
        schema: {
          tags: ['service'],
          summary:
            "The service queue: open cases oldest first, resolved ones latest resolved first, each with its customer's name; by assignee (`me`, `none` or a staff id), by words in the case, and the overdue alone (open past their kind's target)",
          querystring: CaseQuery,
          response: {
            200: z.object({
              items: z.array(ServiceCase.extend({ customerName: z.string().nullable() })),
              total: z.number().int(),
            }),
            ...errors,
          },
        },
      },
      async (request) => listCases(o.db, request.shopId, request.query, request.staff?.staffId ?? null),
    );

    app.get(
      '/api/service-cases/:caseId',
      {
        schema: {
          tags: ['service'],
          summary: 'One service case',
          params: CaseParams,
          response: { 200: ServiceCase, ...errors },
        },
      },
      async (request) => getCase(o.db, request.shopId, request.params.caseId),
    );

    app.get(
      '/api/service-targets',
      {
        schema: {
          tags: ['service'],
          summary:
            'How many hours the shop means to take to resolve each kind of case (null: no target); a case past its target while open is overdue',
          response: { 200: ServiceTargets.required(), ...errors },
        },
      },
      async (request) => serviceTargets(o.db, request.shopId),
    );

    app.put(
      '/api/service-targets',
      {
        config: { access: 'administer' },
        schema: {
          tags: ['service'],
          summary:
            'Set the hours to resolve each kind given (null takes its target away; kinds left out keep theirs); the cases already waiting are due by the new targets',
          body: ServiceTargets,
          response: { 200: ServiceTargets.required(), ...errors },
        },
      },
      async (request) => setServiceTargets(o.db, request.shopId, request.body),
    );

    app.get(
      '/api/service-hours',
      {
        schema: {
          tags: ['service'],
          summary:
            "The desk's working hours and holidays, in the shop time zone: targets count open hours only; no days for around the clock",
          response: { 200: ServiceHours, ...errors },
        },
      },
      async (request) => serviceHours(o.db, request.shopId),
    );

    app.put(
      '/api/service-hours',
      {
        config: { access: 'administer' },
        schema: {
          tags: ['service'],
          summary:
            "Set the desk's working week and holidays (the whole of them); waiting cases are due by the new hours",
          body: ServiceHours,
          response: { 200: ServiceHours, ...errors },
        },
      },
      async (request) => setServiceHours(o.db, request.shopId, request.body),
    );

    app.get(
      '/api/service-rota',
      {
        schema: {
          tags: ['service'],
          summary:
            "The staff who take new cases of each kind, and priority members' (`priority`: those whose tier grants priority service, any kind): a case that comes in open goes to the one with the fewest open cases; a kind naming nobody leaves its cases to nobody, and an empty priority line leaves priority members' to their kind's staff",
          response: { 200: ServiceRota.required(), ...errors },
        },
      },
      async (request) => serviceRota(o.db, request.shopId),
    );

    app.put(
      '/api/service-rota',
      {
        config: { access: 'administer' },
        schema: {
          tags: ['service'],
          summary:
            'Set the staff (not viewers) who take new cases of each kind, or of priority members, given ([] for nobody; lines left out keep theirs); cases already in stay with whoever has them',
          body: ServiceRota,
          response: { 200: ServiceRota.required(), ...errors },
        },
      },
      async (request) => setServiceRota(o.db, request.shopId, request.body),
    );

    app.patch(
      '/api/service-cases/:caseId',
      {
        schema: {
          tags: ['service'],
          summary:
            "Resolve a case (with what was done), open it again (its resolution is kept on the timeline), give it to a staff member (`assignedTo`), or correct what it says (subject, details, channel) and what it is (kind, a review's stars, the order it is about); a resolved case's resolution words may be corrected too",
          params: CaseParams,
          body: CaseUpdate,
          response: { 200: ServiceCase, ...errors },
        },
      },
      async (request) => {
        const serviceCase = await updateCase(
          o.db,
          request.shopId,
          request.params.caseId,
          request.body,
          writer(request),
          source(request),
        );
        request.activityParams = { customerId: serviceCase.customerId };
        return serviceCase;
      },
    );
  };
