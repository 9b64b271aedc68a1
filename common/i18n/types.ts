/** The shape of a dictionary with every leaf a string: en must have exactly vi's keys. */
export type DeepStrings<T> = { readonly [K in keyof T]: T[K] extends string ? string : DeepStrings<T[K]> };
