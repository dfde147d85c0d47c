// What each staff role may do through the API. A route says what it asks of the caller; reading is
// every role's, the day's work (customers, points, tags, segments, campaigns, flows, imports) is the
// operator's, the shop's settings (its name, currency and time zone, member program, channels and their
// credentials, contact policy, links, RFM settings), a person's data requests (a copy, an erasure) and the
// activity record the admin's, and staff, API keys and how long the activity record is kept the owner's
// alone: whoever hands out keys or roles can give themselves anything, and whoever shortens the record can
// shorten it past their own doings. API keys are not staff and are not limited: an integration's key is the
// owner's to give. The one exception is deleting the shop, which takes the owner signed in (routes/shop.ts).
export const ROLES = ['viewer', 'operator', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

/** The kinds of access, least first: each role has a prefix of them. */
export const ACCESS = ['read', 'operate', 'administer', 'own'] as const;
export type Access = (typeof ACCESS)[number];

/** The least role that has each kind of access. */
export const LEAST_ROLE: Record<Access, Role> = {
  read: 'viewer',
  operate: 'operator',
  administer: 'admin',
  own: 'owner',
};

export function allows(role: Role, access: Access): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(LEAST_ROLE[access]);
}

/** What a role may do: the console shows or hides its controls by this, not by role names of its own. */
export function accessOf(role: Role): Access[] {
  return ACCESS.filter((a) => allows(role, a));
}
