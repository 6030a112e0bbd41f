export async function labCommand(_args: string[]): Promise<number> {
  throw new Error('the lab is not built yet');
}
