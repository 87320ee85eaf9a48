// Contracts of the features area are exported from here.
export {};
