// Contracts of the training area are exported from here.
export {};
