// The entity model, aligned with FollowTheMoney (FtM), the model used by Aleph and
// OpenSanctions: entities are {id, schema, properties: {prop: [values]}}; relations
// and events are entities too, whose `entity`-typed properties are the graph's edges.
// Schema and property names follow FtM wherever FtM has the concept (marked
// `ftm: true`), so FtM JSON imports and exports round-trip; Chokepoint's extensions
// (Shipment, Substance, Equipment, Seizure, ...) use the same conventions.

export type PropType =
  | 'name'
  | 'string'
  | 'text'
  | 'date'
  | 'country'
  | 'identifier'
  | 'phone'
  | 'email'
  | 'url'
  | 'number'
  | 'entity'
  | 'address'
  | 'iban'
  | 'topic';

export interface PropDef {
  type: PropType;
  label: string;
  /** For entity-typed properties: the schema the value must be (or extend). */
  range?: string;
  /** 28 CFR 23.20(b): political, religious or social views; refused unless tied to a crime. */
  protected?: boolean;
}

export interface SchemaDef {
  name: string;
  label: string;
  extends: string[];
  ftm: boolean;
  abstract?: boolean;
  properties: Record<string, PropDef>;
  /** Relations: the properties holding the two ends of the edge. */
  edge?: { source: string; target: string; label: string };
  /** Properties used, in order, to make a caption. */
  caption: string[];
  /** Events carry a date and a location; used by timelines and statistics. */
  event?: boolean;
}

const p = (type: PropType, label: string, extra: Partial<PropDef> = {}): PropDef => ({ type, label, ...extra });
const ref = (range: string, label: string): PropDef => ({ type: 'entity', label, range });

const DEFS: SchemaDef[] = [];
function schema(def: Partial<SchemaDef> & { name: string; label: string; properties: Record<string, PropDef> }): void {
  DEFS.push({ extends: [], ftm: true, caption: ['name'], ...def });
}

// ---- Abstract bases (FtM) -------------------------------------------------
schema({
  name: 'Thing',
  label: 'Thing',
  abstract: true,
  properties: {
    name: p('name', 'Name'),
    alias: p('name', 'Other name'),
    weakAlias: p('name', 'Weak alias'),
    previousName: p('name', 'Previous name'),
    summary: p('text', 'Summary'),
    description: p('text', 'Description'),
    country: p('country', 'Country'),
    notes: p('text', 'Notes'),
    sourceUrl: p('url', 'Source link'),
    topics: p('topic', 'Topics'),
    address: p('address', 'Address'),
    addressEntity: ref('Address', 'Address'),
  },
});
schema({
  name: 'LegalEntity',
  label: 'Legal entity',
  extends: ['Thing'],
  abstract: true,
  properties: {
    email: p('email', 'E-mail'),
    phone: p('phone', 'Phone'),
    website: p('url', 'Website'),
    registrationNumber: p('identifier', 'Registration number'),
    idNumber: p('identifier', 'ID number'),
    taxNumber: p('identifier', 'Tax number'),
    incorporationDate: p('date', 'Date of incorporation'),
    jurisdiction: p('country', 'Jurisdiction'),
    mainCountry: p('country', 'Country of origin'),
    legalForm: p('string', 'Legal form'),
    status: p('string', 'Status'),
    sector: p('string', 'Sector'),
  },
});
schema({
  name: 'Interval',
  label: 'Interval',
  abstract: true,
  properties: {
    startDate: p('date', 'Start date'),
    endDate: p('date', 'End date'),
    date: p('date', 'Date'),
    summary: p('text', 'Summary'),
    description: p('text', 'Description'),
    role: p('string', 'Role'),
    sourceUrl: p('url', 'Source link'),
    recordId: p('identifier', 'Record ID'),
  },
});
schema({
  name: 'Asset',
  label: 'Asset',
  extends: ['Thing'],
  abstract: true,
  properties: { amount: p('number', 'Value'), currency: p('string', 'Currency') },
});

// ---- Actors ----------------------------------------------------------------
schema({
  name: 'Person',
  label: 'Person',
  extends: ['LegalEntity'],
  caption: ['name', 'lastName', 'alias'],
  properties: {
    firstName: p('name', 'First name'),
    middleName: p('name', 'Middle name'),
    lastName: p('name', 'Last name'),
    fatherName: p('name', 'Patronymic'),
    motherName: p('name', 'Matronymic'),
    secondName: p('name', 'Second name'),
    nameScript: p('name', 'Name in original script'),
    birthDate: p('date', 'Date of birth'),
    birthPlace: p('string', 'Place of birth'),
    deathDate: p('date', 'Date of death'),
    nationality: p('country', 'Nationality'),
    citizenship: p('country', 'Citizenship'),
    passportNumber: p('identifier', 'Passport number'),
    gender: p('string', 'Gender'),
    position: p('string', 'Position'),
    usPerson: p('string', 'U.S. person'),
    religion: p('string', 'Religion', { protected: true }),
    political: p('string', 'Political association', { protected: true }),
    ethnicity: p('string', 'Ethnicity', { protected: true }),
    socialViews: p('text', 'Social views', { protected: true }),
  },
});
schema({
  name: 'Organization',
  label: 'Organization',
  extends: ['LegalEntity'],
  properties: { organizationType: p('string', 'Type (cartel, DTO, cell, task force, ...)') },
});
schema({
  name: 'Company',
  label: 'Company',
  extends: ['Organization', 'Asset'],
  properties: {
    companyType: p('string', 'Kind (front, shell, chemical supplier, freight forwarder, ...)'),
    capital: p('number', 'Capital'),
  },
});

// ---- Places ----------------------------------------------------------------
schema({
  name: 'Address',
  label: 'Address / location',
  extends: ['Thing'],
  caption: ['full', 'city', 'name'],
  properties: {
    full: p('address', 'Full address'),
    street: p('string', 'Street'),
    city: p('string', 'City'),
    postalCode: p('string', 'Postal code'),
    region: p('string', 'Region'),
    latitude: p('number', 'Latitude'),
    longitude: p('number', 'Longitude'),
    locationType: p('string', 'Kind (port of entry, border crossing, seaport, airport, ...)'),
    unlocode: p('identifier', 'UN/LOCODE'),
  },
});

// ---- Identifiers as nodes (Chokepoint extensions; FtM keeps these as values) -----
schema({
  name: 'Phone',
  label: 'Phone',
  extends: ['Thing'],
  ftm: false,
  caption: ['number', 'name'],
  properties: { number: p('phone', 'Number'), carrier: p('string', 'Carrier') },
});
schema({
  name: 'Email',
  label: 'E-mail address',
  extends: ['Thing'],
  ftm: false,
  caption: ['emailAddress', 'name'],
  properties: { emailAddress: p('email', 'Address') },
});
schema({
  name: 'Website',
  label: 'Website / online shop',
  extends: ['Thing'],
  ftm: false,
  caption: ['url', 'name'],
  properties: { url: p('url', 'URL'), platform: p('string', 'Platform') },
});
schema({
  name: 'UserAccount',
  label: 'Social media / online account',
  extends: ['Thing'],
  caption: ['username', 'name'],
  properties: {
    username: p('identifier', 'Username'),
    service: p('string', 'Service'),
    owner: ref('LegalEntity', 'Owner'),
    email: p('email', 'E-mail'),
    phone: p('phone', 'Phone'),
  },
});
schema({
  name: 'BankAccount',
  label: 'Bank account',
  extends: ['Asset'],
  caption: ['iban', 'accountNumber', 'name'],
  properties: {
    iban: p('iban', 'IBAN'),
    accountNumber: p('identifier', 'Account number'),
    bankName: p('string', 'Bank'),
    bic: p('identifier', 'SWIFT/BIC'),
  },
});
schema({
  name: 'CryptoWallet',
  label: 'Crypto wallet',
  extends: ['Asset'],
  caption: ['publicKey', 'name'],
  properties: {
    publicKey: p('identifier', 'Address'),
    currency: p('string', 'Currency / chain'),
    holder: ref('LegalEntity', 'Holder'),
  },
});

// ---- Conveyances and cargo ---------------------------------------------------
schema({
  name: 'Vehicle',
  label: 'Vehicle / conveyance',
  extends: ['Asset'],
  caption: ['registrationNumber', 'name'],
  properties: {
    registrationNumber: p('identifier', 'Plate / registration'),
    vin: p('identifier', 'VIN'),
    type: p('string', 'Type'),
    model: p('string', 'Model'),
    owner: ref('LegalEntity', 'Owner'),
    registrationRegion: p('string', 'Plate state'),
  },
});
schema({
  name: 'Vessel',
  label: 'Vessel',
  extends: ['Vehicle'],
  caption: ['name', 'imoNumber'],
  properties: { imoNumber: p('identifier', 'IMO number'), flag: p('country', 'Flag') },
});
schema({
  name: 'Container',
  label: 'Container',
  extends: ['Thing'],
  ftm: false,
  caption: ['containerNumber', 'name'],
  properties: {
    containerNumber: p('identifier', 'Container number (ISO 6346)'),
    containerType: p('string', 'Type'),
    operator: ref('LegalEntity', 'Operator'),
  },
});
schema({
  name: 'Shipment',
  label: 'Shipment',
  extends: ['Thing'],
  ftm: false,
  caption: ['billOfLading', 'declaredGoods', 'name'],
  properties: {
    shipper: ref('LegalEntity', 'Shipper'),
    consignee: ref('LegalEntity', 'Consignee'),
    notifyParty: ref('LegalEntity', 'Notify party'),
    forwarder: ref('LegalEntity', 'Freight forwarder'),
    carrier: p('string', 'Carrier'),
    mode: p('string', 'Mode (container, air cargo, express, mail)'),
    billOfLading: p('identifier', 'Bill of lading / airway bill / tracking'),
    hsCode: p('identifier', 'HS code'),
    declaredGoods: p('text', 'Declared goods'),
    grossWeightKg: p('number', 'Gross weight (kg)'),
    declaredValue: p('number', 'Declared value'),
    currency: p('string', 'Currency'),
    originPort: ref('Address', 'Origin'),
    transshipmentPort: ref('Address', 'Transshipment'),
    destinationPort: ref('Address', 'Destination'),
    routeLegs: p('string', 'Route legs'),
    departureDate: p('date', 'Departure'),
    arrivalDate: p('date', 'Arrival'),
    container: ref('Container', 'Container'),
    conveyance: ref('Vehicle', 'Conveyance'),
  },
});

// ---- Substances, equipment, labs ----------------------------------------------
schema({
  name: 'Substance',
  label: 'Substance',
  extends: ['Thing'],
  ftm: false,
  properties: {
    category: p('string', 'Category (opioid, fentanyl analogue, precursor, adulterant)'),
    casNumber: p('identifier', 'CAS number'),
    hsCode: p('identifier', 'HS code'),
    smiles: p('string', 'SMILES'),
    inchiKey: p('identifier', 'InChIKey'),
    control: p('string', 'Control status'),
  },
});
schema({
  name: 'Equipment',
  label: 'Equipment',
  extends: ['Asset'],
  ftm: false,
  caption: ['name', 'serialNumber'],
  properties: {
    equipmentType: p('string', 'Kind (pill press, die mold, encapsulator)'),
    make: p('string', 'Make'),
    model: p('string', 'Model'),
    serialNumber: p('identifier', 'Serial number'),
    owner: ref('LegalEntity', 'Owner'),
  },
});
schema({
  name: 'Lab',
  label: 'Clandestine lab',
  extends: ['Thing'],
  ftm: false,
  properties: {
    operator: ref('LegalEntity', 'Operator'),
    labType: p('string', 'Kind (synthesis, pill pressing, ...)'),
    capacity: p('string', 'Capacity'),
  },
});

// ---- Cases and operations -------------------------------------------------------
schema({
  name: 'Case',
  label: 'Case (investigation)',
  extends: ['Thing'],
  ftm: false,
  caption: ['name', 'caseNumber'],
  properties: {
    caseNumber: p('identifier', 'Case number'),
    leadAgency: p('string', 'Lead agency'),
    status: p('string', 'Status'),
    openedDate: p('date', 'Opened'),
    caseAgent: p('string', 'Case agent (contact)'),
  },
});
schema({
  name: 'Operation',
  label: 'Operation',
  extends: ['Thing', 'Interval'],
  ftm: false,
  properties: { operationType: p('string', 'Type'), agency: p('string', 'Agency'), case: ref('Case', 'Case') },
});

// ---- Relations (edges) ------------------------------------------------------------
const rel = (
  name: string,
  label: string,
  source: [string, string, string],
  target: [string, string, string],
  ftm: boolean,
  extra: Record<string, PropDef> = {},
): void =>
  schema({
    name,
    label,
    extends: ['Interval'],
    ftm,
    caption: ['role', 'summary'],
    edge: { source: source[0], target: target[0], label },
    properties: { [source[0]]: ref(source[1], source[2]), [target[0]]: ref(target[1], target[2]), ...extra },
  });

rel('Ownership', 'owns', ['owner', 'LegalEntity', 'Owner'], ['asset', 'Asset', 'Asset'], true, {
  percentage: p('number', 'Share %'),
});
rel(
  'Directorship',
  'directs',
  ['director', 'LegalEntity', 'Director'],
  ['organization', 'Organization', 'Organization'],
  true,
);
rel(
  'Membership',
  'member of',
  ['member', 'LegalEntity', 'Member'],
  ['organization', 'Organization', 'Organization'],
  true,
);
rel('Employment', 'works for', ['employee', 'Person', 'Employee'], ['employer', 'LegalEntity', 'Employer'], true);
rel('Family', 'family of', ['person', 'Person', 'Person'], ['relative', 'Person', 'Relative'], true, {
  relationship: p('string', 'Relationship'),
});
rel('Associate', 'associate of', ['person', 'Person', 'Person'], ['associate', 'Person', 'Associate'], true, {
  relationship: p('string', 'Relationship'),
});
rel('Payment', 'pays', ['payer', 'LegalEntity', 'Payer'], ['beneficiary', 'LegalEntity', 'Beneficiary'], true, {
  amount: p('number', 'Amount'),
  currency: p('string', 'Currency'),
  purpose: p('text', 'Purpose'),
  method: p('string', 'Method (bulk cash, trade-based, underground banking, crypto, wire)'),
  payerAccount: ref('Asset', 'Payer account'),
  beneficiaryAccount: ref('Asset', 'Beneficiary account'),
});
rel('UnknownLink', 'linked to', ['subject', 'Thing', 'Subject'], ['object', 'Thing', 'Object'], true);
rel('Supply', 'supplies', ['supplier', 'LegalEntity', 'Supplier'], ['recipient', 'LegalEntity', 'Recipient'], false, {
  substance: ref('Substance', 'Substance'),
  quantityKg: p('number', 'Quantity (kg)'),
});
rel(
  'Usage',
  'uses',
  ['holder', 'LegalEntity', 'Holder'],
  ['thing', 'Thing', 'Phone, account, wallet or vehicle'],
  false,
);
rel('CaseLink', 'subject of', ['subject', 'Thing', 'Subject'], ['case', 'Case', 'Case'], false);
rel(
  'Sanction',
  'sanctioned by',
  ['entity', 'Thing', 'Sanctioned entity'],
  ['authorityEntity', 'LegalEntity', 'Authority'],
  true,
  {
    authority: p('string', 'Authority'),
    program: p('string', 'Program'),
    reason: p('text', 'Reason'),
    listingDate: p('date', 'Listing date'),
  },
);

// ---- Events ---------------------------------------------------------------------
schema({
  name: 'Event',
  label: 'Event',
  extends: ['Interval', 'Thing'],
  event: true,
  caption: ['name', 'summary', 'date'],
  properties: {
    involved: ref('Thing', 'Involved'),
    organizer: ref('LegalEntity', 'Reporting agency unit'),
    agency: p('string', 'Agency'),
    case: ref('Case', 'Case'),
  },
});
const ev = (name: string, label: string, properties: Record<string, PropDef>): void =>
  schema({ name, label, extends: ['Event'], ftm: false, event: true, caption: ['name', 'date'], properties });

ev('Seizure', 'Seizure', {
  substance: ref('Substance', 'Drug'),
  drugType: p('string', 'Drug type'),
  weightKg: p('number', 'Weight (kg)'),
  pillCount: p('number', 'Pill count'),
  concealment: p('string', 'Concealment'),
  shipment: ref('Shipment', 'Shipment'),
  conveyance: ref('Vehicle', 'Conveyance'),
});
ev('Arrest', 'Arrest', { subject: ref('Person', 'Arrested person'), charges: p('text', 'Charges') });
ev('Indictment', 'Indictment', {
  defendant: ref('LegalEntity', 'Defendant'),
  court: p('string', 'Court'),
  charges: p('text', 'Charges'),
  docket: p('identifier', 'Docket'),
});
ev('Interdiction', 'Interdiction', {
  shipment: ref('Shipment', 'Shipment'),
  conveyance: ref('Vehicle', 'Conveyance'),
  outcome: p('string', 'Outcome'),
});
ev('LabDismantlement', 'Lab dismantlement', {
  lab: ref('Lab', 'Lab'),
  equipmentSeized: ref('Equipment', 'Equipment seized'),
});

// ---- Registry -------------------------------------------------------------------------

export class SchemaModel {
  readonly schemas = new Map<string, SchemaDef>();
  private readonly resolved = new Map<string, { props: Record<string, PropDef>; ancestors: Set<string> }>();

  constructor(defs: SchemaDef[]) {
    for (const d of defs) this.schemas.set(d.name, d);
    for (const d of defs) this.resolve(d.name);
  }

  private resolve(name: string): { props: Record<string, PropDef>; ancestors: Set<string> } {
    const hit = this.resolved.get(name);
    if (hit) return hit;
    const def = this.schemas.get(name);
    if (!def) throw new Error(`schema ${name} extends unknown schema`);
    const props: Record<string, PropDef> = {};
    const ancestors = new Set<string>([name]);
    for (const parent of def.extends) {
      const r = this.resolve(parent);
      Object.assign(props, r.props);
      r.ancestors.forEach((a) => ancestors.add(a));
    }
    Object.assign(props, def.properties);
    const out = { props, ancestors };
    this.resolved.set(name, out);
    return out;
  }

  get(name: string): SchemaDef | undefined {
    return this.schemas.get(name);
  }

  /** All properties of a schema, inherited ones included. */
  properties(name: string): Record<string, PropDef> {
    return this.resolve(name).props;
  }

  isA(name: string, ancestor: string): boolean {
    return this.resolved.get(name)?.ancestors.has(ancestor) ?? false;
  }

  /** Names of the concrete event schemas (seizures, arrests, interdictions, ...). */
  eventSchemas(): string[] {
    return this.concrete()
      .filter((s) => s.event)
      .map((s) => s.name);
  }

  /** Concrete schemas, for pickers and validation messages. */
  concrete(): SchemaDef[] {
    return [...this.schemas.values()].filter((s) => !s.abstract);
  }

  /** Two schemas describe the same entity when one extends the other (FtM's rule, simplified). */
  compatible(a: string, b: string): string | undefined {
    if (this.isA(a, b)) return a;
    if (this.isA(b, a)) return b;
    return undefined;
  }
}

export const model = new SchemaModel(DEFS);

/** The schema of an e-mail address as a node (a Chokepoint extension; FtM's `Email` is a message). */
export const EMAIL_ADDRESS = 'Email';
