// The consumer project's entry point (`main: index.ts`). The language host calls the exported function
// and uses what it returns as the stack outputs; the tests call the same function under mocks.
import { consumerStack } from "./program";

export = consumerStack;
