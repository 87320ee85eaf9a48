// Contracts of the dwh area are exported from here.
export {};
