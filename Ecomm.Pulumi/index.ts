// The entry point Pulumi loads (`main: Ecomm.Pulumi/`). The language host calls an exported function and
// uses what it returns as the stack outputs; the offline engine and the tests call the same function.
import { ecommStack } from "./stack";

export = ecommStack;
