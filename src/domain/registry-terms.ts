// The words of the registries shared by the server and the web application (no
// dependencies, so the browser bundle can import them).
/** Machines and parts the pill press registry records. */
export const PRESS_KINDS = ['tablet press', 'encapsulator', 'die mold'] as const;
/** What can happen to a registered machine. */
export const PRESS_EVENT_KINDS = [
  'transfer',
  'import',
  'export',
  'reported stolen',
  'reported missing',
  'destroyed',
] as const;
/** Kinds of multi-agency body in the task-force registry. */
export const TASK_FORCE_KINDS = [
  'task force',
  'fusion cell',
  'mission center',
  'strike force',
  'working group',
] as const;
/** What a task force works on (duplication is judged on shared focus and geography). */
export const TASK_FORCE_FOCUS = [
  'precursors',
  'synthesis',
  'pill presses',
  'border crossing',
  'maritime',
  'air cargo',
  'mail and express',
  'online sales',
  'distribution',
  'money laundering',
  'bulk cash',
  'trade-based laundering',
  'underground banking',
  'crypto',
  'violence',
  'corruption',
] as const;
