/** Nominal typing for identifiers that have been parsed at the edge. */
declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };
