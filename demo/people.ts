/**
 * The demo's people: the service seeds a picture for each (backend/demo/seed.ts) and the pages list them. Plain
 * data, imported by both sides.
 */

/** A demo user: the id the service knows, and the name the pages show. */
export interface Person {
  id: string;
  name: string;
  /** What the friend list says under the name. */
  title: string;
}

const rows: readonly (readonly [string, string])[] = [
  ['Sam Rivera', 'Product designer'],
  ['Amara Okafor', 'Backend engineer'],
  ['Lena Fischer', 'Photographer'],
  ['Kenji Watanabe', 'Data scientist'],
  ['Priya Raman', 'Site reliability'],
  ['Mateo García', 'Illustrator'],
  ['Ingrid Johansson', 'Architect'],
  ['Tomás Novák', 'Frontend engineer'],
  ['Aisha Bello', 'Product manager'],
  ['Wei Chen', 'Researcher'],
  ['Chloé Martin', 'Writer'],
  ['Oluwaseun Adeyemi', 'Mobile engineer'],
  ['Hana Kim', 'UX researcher'],
  ['Diego Fernández', 'Musician'],
  ['Freya Larsen', 'Climber'],
  ['Ravi Patel', 'Security engineer'],
  ['Sofia Rossi', 'Chef'],
  ['Yusuf Demir', 'Teacher'],
  ['Mei Lin', 'Animator'],
  ['Lucas Silva', 'Founder'],
  ['Nadia Haddad', 'Doctor'],
  ['Elias Berg', 'Sound engineer'],
  ['Zanele Dlamini', 'Journalist'],
  ['Arjun Mehta', 'Game developer'],
  ['Camille Dubois', 'Florist'],
  ['Kofi Mensah', 'Economist'],
  ['Isabela Costa', 'Marine biologist'],
  ['Hiroshi Sato', 'Woodworker'],
  ['Emma Novak', 'Data engineer'],
  ['Omar Farouk', 'Pilot'],
  ['Leila Ahmadi', 'Translator'],
  ['Jonas Weber', 'Cyclist'],
  ['Ana Kovač', 'Ceramicist'],
  ['Samuel Osei', 'Nurse'],
  ['Yara Nasser', 'Urban planner'],
  ['Niko Virtanen', 'Compiler engineer'],
  ['Beatriz Lopes', 'Dancer'],
  ['Daniel Cohen', 'Lawyer'],
  ['Fatima Zahra', 'Astronomer'],
  ['Liam O\u2019Brien', 'Carpenter'],
  ['Keiko Tanaka', 'Typographer'],
  ['Mohammed Al-Sayed', 'Civil engineer'],
  ['Olivia Brown', 'Librarian'],
  ['Pablo Ruiz', 'Barista'],
  ['Rin Nakamura', 'Game designer'],
  ['Sara Lindqvist', 'Biologist'],
  ['Tariq Aziz', 'Film editor'],
  ['Uma Iyer', 'Statistician'],
  ['Victor Petrov', 'Chess coach'],
  ['Wanjiru Kamau', 'Agronomist'],
  ['Xavier Moreau', 'Baker'],
  ['Yasmin Khalil', 'Painter'],
  ['Zoltan Horvath', 'Violinist'],
  ['Alma Jensen', 'Runner'],
  ['Bruno Costa', 'Surfer'],
  ['Carmen Vega', 'Historian'],
  ['Dmitri Volkov', 'Physicist'],
  ['Esme Clarke', 'Gardener'],
  ['Felix Wagner', 'Mechanic'],
  ['Gloria Mendes', 'Singer'],
];

/** An id from a name: lower case ASCII words joined by hyphens (`Liam O’Brien` → `liam-obrien`). */
function idOf(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[^A-Za-z ]/g, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '-');
}

/** All 60 seeded people; the first is the demo's own user. */
export const PEOPLE: readonly Person[] = rows.map(([name, title]) => ({ id: idOf(name), name, title }));

/** The user the demo signs in as: its profile page uploads this user's picture. */
export const DEMO_USER: Person = PEOPLE[0]!;

/** The demo user's friends: the 50 on the front page. */
export const FRIENDS: readonly Person[] = PEOPLE.slice(1, 51);

/** People the service has no picture for: the pages show their fallback. */
export const NEWCOMERS: readonly Person[] = [
  { id: 'newcomer-june', name: 'June Park', title: 'Joined today' },
  { id: 'newcomer-ola', name: 'Ola Nordmann', title: 'Joined today' },
];
