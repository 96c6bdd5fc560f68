/**
 * `15_arm64`, `10.15_x86_64`, `10.6_i386`, `10.8_x86_64_legacy`: the names MacPorts' builders
 * carry. Shared by the controller's config and the action's inputs, so it lives in model/ (the
 * only part of controller/ the action may import).
 */
export const PLATFORM_NAME = /^\d{1,2}(\.\d{1,2})?_(arm64|x86_64|i386|ppc)(_legacy)?$/;
