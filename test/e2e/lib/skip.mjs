/** Thrown by a UI scenario whose feature has not landed; the reason is printed and reported. */
export class Skip extends Error {}
