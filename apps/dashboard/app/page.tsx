export default function Home() {
  return (
    <main>
      <h1>Syncvault</h1>
      <p>The dashboard is being built. Until then, every feature is available through the <code>syncvault</code> command.</p>
    </main>
  );
}
