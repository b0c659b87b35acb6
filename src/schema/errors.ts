import {
  AlreadyExistsError,
  ConflictError,
  ERROR_CODES,
  InvalidInputError,
  NotAllowedError,
  NotFoundError,
  type CairnError,
} from '../domain/errors.js';
import { MAX_ECHO } from '../domain/echo.js';
import { PROBLEM_CODES, type Problem } from '../domain/problems.js';
import { REACHED_THROUGH_PARENT } from './auth-rules.js';
import { builder } from './builder.js';

const errorCodeDescriptions: Record<(typeof ERROR_CODES)[number], string> = {
  INVALID_INPUT: 'The input was refused; see `problems` (InvalidInputError).',
  NOT_FOUND: 'An ID names nothing of the expected type (NotFoundError).',
  CONFLICT: 'The object changed since you read it (ConflictError).',
  ALREADY_EXISTS: 'A unique name is taken (AlreadyExistsError).',
  NOT_ALLOWED: 'The action is refused in the current state; the message says why and how to proceed (NotAllowedError).',
};

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description: 'The kind of an expected failure; every error type has one code.',
  values: Object.fromEntries(ERROR_CODES.map((c) => [c, { description: errorCodeDescriptions[c] }])),
});

const problemCodeDescriptions: Record<(typeof PROBLEM_CODES)[number], string> = {
  REQUIRED: 'A value is missing or empty.',
  INVALID_FORMAT: 'The value does not have the expected form (name, path, reference …).',
  TOO_SMALL: 'A number (or list) is below its minimum.',
  TOO_LARGE: 'A number (or list) is above its maximum.',
  TOO_LONG: 'A text is longer than allowed.',
  DUPLICATE: 'The value repeats another one that must be unique.',
  NESTED_MOUNT: 'A mount lies inside another mount.',
  UNKNOWN_VALUE: 'The value is not one of the allowed ones (e.g. a business type).',
  UNKNOWN_CLUSTER: 'No cluster has this name.',
  SAME_CLUSTER: 'The production and test environments name the same cluster.',
  EXACTLY_ONE: 'Exactly one of several alternatives must be set (e.g. http or exec).',
  NOT_ALLOWED: 'The value is valid on its own but not here (e.g. a liveness successThreshold other than 1).',
};

export const ProblemCodeEnum = builder.enumType('ProblemCode', {
  description: 'Why one input value was refused.',
  values: Object.fromEntries(PROBLEM_CODES.map((c) => [c, { description: problemCodeDescriptions[c] }])),
});

export const InputProblemRef = builder.objectRef<Problem>('InputProblem').implement({
  authScopes: REACHED_THROUGH_PARENT,
  description: 'One refused input value.',
  fields: (t) => ({
    path: t.exposeStringList('path', {
      description: 'Where the value is, from the argument name down, e.g. ["input", "config", "ports", "1", "containerPort"]; list positions are 0-based.',
    }),
    code: t.field({ type: ProblemCodeEnum, description: 'Why the value was refused.', resolve: (p) => p.code }),
    message: t.exposeString('message', { description: 'What is wrong, in words, and how to fix it.' }),
  }),
});

export const ErrorInterface = builder.interfaceRef<CairnError>('Error').implement({
  description: 'An expected failure of a mutation or query. Query `message` and `code` on any error; the concrete types add details.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, in words, and how to proceed.' }),
    code: t.field({ type: ErrorCodeEnum, description: 'The kind of failure.', resolve: (e) => e.code }),
  }),
});

builder.objectType(InvalidInputError, {
  name: 'InvalidInputError',
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The input was refused. `problems` lists every problem at once; nothing was changed.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof InvalidInputError,
  fields: (t) => ({
    problems: t.field({ type: [InputProblemRef], description: 'Every refused value, with its path.', resolve: (e) => e.problems }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  authScopes: REACHED_THROUGH_PARENT,
  description: 'An ID in the input names nothing of the expected type; nothing was changed.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof NotFoundError,
  fields: (t) => ({
    typename: t.exposeString('typename', { description: 'The type the ID should name (App, Environment, Template …).' }),
    id: t.exposeString('id', { description: `The ID that was not found, as sent (a longer one: its first ${MAX_ECHO} characters, then how many more there were).` }),
    path: t.exposeStringList('path', { description: 'Where the ID is in the input, e.g. ["input", "id"].' }),
  }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The object changed since you read it (a stale `version`); nothing was changed. Read it again and retry.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof ConflictError,
  fields: (t) => ({
    expectedVersion: t.exposeInt('expectedVersion', { description: 'The version you sent.' }),
    currentVersion: t.exposeInt('currentVersion', { description: 'The version stored now.' }),
  }),
});

builder.objectType(AlreadyExistsError, {
  name: 'AlreadyExistsError',
  authScopes: REACHED_THROUGH_PARENT,
  description: 'A name that must be unique is already taken; nothing was changed.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof AlreadyExistsError,
  fields: (t) => ({
    typename: t.exposeString('typename', { description: 'The kind of object whose name is taken (App, Template).' }),
    name: t.exposeString('takenName', { description: `The name that is taken (at most ${MAX_ECHO} characters of it).` }),
    path: t.exposeStringList('path', { description: 'Where the name is in the input, e.g. ["input", "name"].' }),
  }),
});

builder.objectType(NotAllowedError, {
  name: 'NotAllowedError',
  authScopes: REACHED_THROUGH_PARENT,
  description: 'The action is refused in the current state; nothing was changed. `reason` says why and how to proceed.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => e instanceof NotAllowedError,
  fields: (t) => ({
    reason: t.exposeString('reason', { description: 'Why the action is refused and what to do first.' }),
  }),
});

export { AlreadyExistsError, ConflictError, InvalidInputError, NotAllowedError, NotFoundError };
