/**
 * A server value as the client receives it: JSON turns every `Date` into its ISO string. The web
 * app and the CLI type responses as `Wire<T>` of the contract's own type, so no response type is
 * copied by hand.
 */
export type Wire<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;
