// The words of deconfliction shared by the server and the web application (no
// dependencies, so the browser bundle can import them).
/** What a case can register as a target. */
export const TARGET_KINDS = [
  'person',
  'company',
  'phone',
  'email',
  'account',
  'address',
  'vehicle',
  'weapon',
  'wallet',
  'container',
  'passport',
  'nationalId',
  'bankAccount',
  'caseNumber',
  'entity',
] as const;
/** Kinds of planned operation. */
export const OPERATION_TYPES = [
  'raid',
  'controlled_delivery',
  'controlled_buy',
  'buy_bust',
  'surveillance',
  'undercover_meeting',
  'arrest',
  'sweep',
  'vehicle_stop',
] as const;
/** How the watch center settles an escalated conflict. */
export const OUTCOMES = ['proceed', 'joint', 'delay', 'cancel'] as const;
