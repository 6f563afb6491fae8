// Worker thread entry: parses files handed to it by the pool.
export {};
