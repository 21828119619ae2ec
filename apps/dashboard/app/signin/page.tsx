import type { Metadata } from 'next';
import { SignInForm } from '../../components/sign-in-form';

export const metadata: Metadata = { title: 'Sign in' };

export default function SignInPage() {
  return (
    <main id="main" className="signin-page">
      <div className="signin-card">
        <p className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Syncvault
        </p>
        <h1>Sign in</h1>
        <SignInForm />
        <section className="signin-help" aria-labelledby="first-start">
          <h2 id="first-start">First start?</h2>
          <p>
            The daemon created the user <code>admin</code> with a generated password and printed it once, in its output: look for{' '}
            <code>created the admin user &quot;admin&quot; with the password …</code>. Sign in with it once: the dashboard then asks you to choose
            your own.
          </p>
          <ul>
            <li>
              <code>syncvault serve</code> or <code>npm start</code>: in the terminal that started it.
            </li>
            <li>
              Docker: <code>docker compose logs daemon | grep &apos;admin user&apos;</code>
            </li>
            <li>
              Lost it? <code>npx syncvault admin reset-password</code> sets a new one and prints it.
            </li>
          </ul>
        </section>
      </div>
    </main>
  );
}
