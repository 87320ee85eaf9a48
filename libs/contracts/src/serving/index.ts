// Contracts of the serving area are exported from here.
export {};
