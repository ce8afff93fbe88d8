// Schema pieces every capability's commands use.
import { Type } from '@sinclair/typebox';

/** A bounded, non-empty text (by default 1 to 200 characters). */
export const S = (max = 200, min = 1) => Type.String({ minLength: min, maxLength: max });

/** `/…/:id` of a numbered row. */
export const IdParam = Type.Object({ id: Type.Integer({ minimum: 1 }) });
