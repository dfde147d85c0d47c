// The profile fields a source may know about a person. Sources only fill what is empty: a staff edit
// or a later, richer source is not overwritten by an order export that happens to carry a shipping name.
export interface Profile {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  memberCard?: string | null;
  gender?: 'female' | 'male' | 'other' | null;
  birthday?: string | null;
  country?: string | null;
  province?: string | null;
  city?: string | null;
  address?: string | null;
  company?: string | null;
  jobTitle?: string | null;
}

export const PROFILE_FIELDS = [
  'name',
  'email',
  'phone',
  'memberCard',
  'gender',
  'birthday',
  'country',
  'province',
  'city',
  'address',
  'company',
  'jobTitle',
] as const satisfies readonly (keyof Profile)[];

export type ProfileField = (typeof PROFILE_FIELDS)[number];

export const PROFILE_COLUMNS: Record<ProfileField, string> = {
  name: 'name',
  email: 'email',
  phone: 'phone',
  memberCard: 'member_card',
  gender: 'gender',
  birthday: 'birthday',
  country: 'country',
  province: 'province',
  city: 'city',
  address: 'address',
  company: 'company',
  jobTitle: 'job_title',
};

/** Fields of `incoming` that would fill an empty field of `current`. */
export function fillableFields(current: Profile, incoming: Profile): ProfileField[] {
  return PROFILE_FIELDS.filter(
    (f) => (current[f] == null || current[f] === '') && incoming[f] != null && incoming[f] !== '',
  );
}

/** Folds several inputs about one person into one profile, the first known value of each field winning. */
export function foldProfiles(profiles: Profile[]): Profile {
  const out: Profile = {};
  for (const p of profiles) {
    for (const f of fillableFields(out, p)) (out as Record<string, unknown>)[f] = p[f];
  }
  return out;
}
