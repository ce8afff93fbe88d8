// The composition root: installs every capability's after-write reaction in the
// store's queue. The store cannot import the capabilities (a lower layer never
// imports a higher one), so each module that writes (the API server, the entity
// commands, the CLI, the importer, the partner exchange) imports this one; a write
// path that does not throws on its first write (src/store/after-write.ts), and
// test/layers.test.ts checks that every module calling the store's write functions does.
import { installAfterWriteReactions } from './store/after-write.js';
import { crossReferenceReaction } from './resolve/xref.js';
import { linkToInvestigationsReaction } from './deconflict/interdictions.js';
import { pressRegistryReaction } from './registry/presses.js';
import { emergingSubstanceReaction } from './chem/emerging.js';
import { shipmentScoringReaction } from './targeting/score.js';

/** In the order they run (each names its own order; the store sorts by it). */
export const AFTER_WRITE_REACTIONS = [
  crossReferenceReaction,
  linkToInvestigationsReaction,
  pressRegistryReaction,
  emergingSubstanceReaction,
  shipmentScoringReaction,
] as const;

installAfterWriteReactions(AFTER_WRITE_REACTIONS);
