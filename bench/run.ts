/** `npm run bench`: every benchmark in turn, each printing its own figures. */
const benches = ['protocol', 'backup', 'diff', 'migrate'];
for (const name of benches) {
  await import(`./${name}.js`);
}
