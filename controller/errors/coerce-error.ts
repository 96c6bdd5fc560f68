// coerceError is shared with the action, so it lives in controller/model/ (the only part of
// controller/ the action may import); the controller's many importers keep this path.
export { coerceError } from '../model/coerce-error.ts';
