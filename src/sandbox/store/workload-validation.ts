/**
 * Deployment, ReplicaSet and StatefulSet spec validation (pkg/apis/apps/validation), with the
 * label selector rules they share.
 */
import { fieldErr, goLiteral, type FieldError } from './field-errors.js';
import { goIntOrString, goMap, goSelector } from './go-values.js';
import { labelKeyErrors } from './names.js';
import { validatePodSpec } from './pod-validation.js';
import { labelSelectorMatches, type LabelSelector } from './selectors.js';
import { validateLabels } from './meta-validation.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map((x) => (isObj(x) ? x : {})) : []);

/** ValidateLabelSelector: matchLabels syntax and well-formed matchExpressions. */
function validateLabelSelector(sel: Obj, path: string, errs: FieldError[]) {
  validateLabels(sel.matchLabels, `${path}.matchLabels`, errs);
  list(sel.matchExpressions).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    const values = Array.isArray(e.values) ? e.values : [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(fieldErr.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(fieldErr.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(fieldErr.invalid(`${p}.operator`, String(e.operator ?? ''), 'not a valid selector operator'));
    }
    for (const m of labelKeyErrors(String(e.key ?? ''))) errs.push(fieldErr.invalid(`${p}.key`, String(e.key ?? ''), m));
  });
}

// --- workloads ---

export function validateSelectorAndTemplate(kind: 'deployment' | 'statefulset' | 'replicaset', s: Obj, errs: FieldError[]) {
  const sel = s.selector;
  let selectorUsable = true;
  if (sel === undefined || sel === null) errs.push(fieldErr.required('spec.selector'));
  else {
    const sobj = isObj(sel) ? sel : {};
    const empty = Object.keys(isObj(sobj.matchLabels) ? sobj.matchLabels : {}).length === 0 && list(sobj.matchExpressions).length === 0;
    const before = errs.length;
    validateLabelSelector(sobj, 'spec.selector', errs);
    selectorUsable = errs.length === before;
    if (empty) errs.push(fieldErr.invalid('spec.selector', goLiteral(goSelector(sel)), `empty selector is invalid for ${kind === 'statefulset' ? 'statefulset' : 'deployment'}`));
  }
  const template = isObj(s.template) ? s.template : undefined;
  if (!template) {
    errs.push(fieldErr.required('spec.template'));
    return;
  }
  const tmeta = isObj(template.metadata) ? template.metadata : {};
  const statefulSet = kind === 'statefulset';
  // ValidatePodTemplateSpecForStatefulSet validates the template's labels at `spec.template.labels`
  // (fldPath.Child("labels")); ValidatePodTemplateSpec, through ValidateObjectMeta, at `metadata.labels`.
  validateLabels(tmeta.labels, statefulSet ? 'spec.template.labels' : 'spec.template.metadata.labels', errs);
  // A missing selector matches nothing (LabelSelectorAsSelector(nil)), so the template check fails too, as in Kubernetes.
  if (selectorUsable && (sel === undefined || sel === null || isObj(sel)) && !labelSelectorMatches(sel as LabelSelector, (isObj(tmeta.labels) ? tmeta.labels : {}) as Record<string, string>))
    errs.push(fieldErr.invalid('spec.template.metadata.labels', goLiteral(goMap(tmeta.labels)), '`selector` does not match template `labels`'));
  // ValidatePodTemplateSpecForStatefulSet does not run ValidatePodSpec on the template (a TODO in
  // pkg/apis/apps/validation: it would reject volumeMounts naming a volumeClaimTemplate, which the
  // StatefulSet controller only adds to each pod as a volume). A StatefulSet's pod spec is validated
  // when the controller creates each pod.
  if (!statefulSet) errs.push(...validatePodSpec(template.spec, 'spec.template.spec'));
  const tspec = isObj(template.spec) ? template.spec : {};
  if (tspec.restartPolicy !== undefined && tspec.restartPolicy !== 'Always')
    errs.push(fieldErr.notSupported('spec.template.spec.restartPolicy', tspec.restartPolicy as string, ['Always']));
  if (tspec.activeDeadlineSeconds !== undefined && tspec.activeDeadlineSeconds !== null)
    errs.push(fieldErr.forbidden('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${statefulSet ? 'StatefulSet' : 'ReplicaSet'} is not Supported`));
}

export function nonNegative(s: Obj, f: string, errs: FieldError[], path = `spec.${f}`) {
  const v = s[f];
  if (typeof v === 'number' && v < 0) errs.push(fieldErr.invalid(path, v, 'must be greater than or equal to 0'));
}

const percentOrInt = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : typeof v === 'string' && /^\d+%$/.test(v) ? Number(v.slice(0, -1)) : undefined;

export function validateDeploymentSpec(s: Obj, errs: FieldError[]) {
  nonNegative(s, 'replicas', errs);
  nonNegative(s, 'minReadySeconds', errs);
  nonNegative(s, 'revisionHistoryLimit', errs);
  validateSelectorAndTemplate('deployment', s, errs);
  const strategy = isObj(s.strategy) ? s.strategy : {};
  const type = strategy.type;
  if (type !== undefined && type !== 'Recreate' && type !== 'RollingUpdate')
    errs.push(fieldErr.notSupported('spec.strategy.type', type as string, ['Recreate', 'RollingUpdate']));
  if (type === 'Recreate' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null)
    errs.push(fieldErr.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  if (type === 'RollingUpdate' && isObj(strategy.rollingUpdate)) {
    const ru = strategy.rollingUpdate;
    for (const f of ['maxUnavailable', 'maxSurge']) {
      const v = ru[f];
      if (v === undefined) continue;
      const n = percentOrInt(v);
      const p = `spec.strategy.rollingUpdate.${f}`;
      if (n === undefined) errs.push(fieldErr.invalid(p, typeof v === 'string' ? v : goLiteral(goIntOrString(v)), "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
      else if (n < 0) errs.push(fieldErr.invalid(p, typeof v === 'string' ? v : n, 'must be greater than or equal to 0'));
      else if (typeof v === 'string' && n > 100 && f === 'maxUnavailable') errs.push(fieldErr.invalid(p, v, 'must not be greater than 100%'));
    }
    if (percentOrInt(ru.maxUnavailable) === 0 && percentOrInt(ru.maxSurge) === 0)
      errs.push(fieldErr.invalid('spec.strategy.rollingUpdate.maxUnavailable', goLiteral(goIntOrString(ru.maxUnavailable)), 'may not be 0 when `maxSurge` is 0'));
  }
  if (typeof s.progressDeadlineSeconds === 'number') {
    if (s.progressDeadlineSeconds < 0) nonNegative(s, 'progressDeadlineSeconds', errs);
    else if (s.progressDeadlineSeconds <= ((s.minReadySeconds as number | undefined) ?? 0))
      errs.push(fieldErr.invalid('spec.progressDeadlineSeconds', s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
}

export function validateStatefulSetSpec(s: Obj, errs: FieldError[]) {
  nonNegative(s, 'replicas', errs);
  nonNegative(s, 'minReadySeconds', errs);
  nonNegative(s, 'revisionHistoryLimit', errs);
  const pmp = s.podManagementPolicy;
  if (pmp !== undefined && pmp !== 'OrderedReady' && pmp !== 'Parallel')
    errs.push(fieldErr.invalid('spec.podManagementPolicy', String(pmp), "must be 'OrderedReady' or 'Parallel'"));
  const us = isObj(s.updateStrategy) ? s.updateStrategy : {};
  if (us.type !== undefined && us.type !== 'RollingUpdate' && us.type !== 'OnDelete')
    errs.push(fieldErr.invalid('spec.updateStrategy', goLiteral(`apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(String(us.type))}, RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}`), "must be 'RollingUpdate' or 'OnDelete'"));
  if (us.type === 'OnDelete' && us.rollingUpdate !== undefined && us.rollingUpdate !== null)
    errs.push(fieldErr.invalid('spec.updateStrategy.rollingUpdate', goLiteral('&apps.RollingUpdateStatefulSetStrategy{...}'), "only allowed for updateStrategy 'RollingUpdate'"));
  if (isObj(us.rollingUpdate)) nonNegative(us.rollingUpdate, 'partition', errs, 'spec.updateStrategy.rollingUpdate.partition');
  validateSelectorAndTemplate('statefulset', s, errs);
}

