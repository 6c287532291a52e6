// browser.js FIXTURE PORT OUTDIR - end-to-end tests in headless Chromium
// (playwright-core driving the Debian chromium): a teacher logs in with the
// form and sees only his or her students; a parent sees only his or her
// child; a public report card shows suppressed cells as such; a screenshot
// of every page is kept in OUTDIR.
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const fixture = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const base = `http://127.0.0.1:${process.argv[3]}`;
const out = process.argv[4];
const P = fixture.places;
const every = new Set(fixture.all_students);
const failures = [];
const check = (cond, what) => { if (!cond) failures.push(what); };

function idsIn(text) {
  return new Set((text.match(/[0-9A-Za-z]+/g) || []).filter((t) => every.has(t)));
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
}

async function login(context, user, role) {
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('#username', user);
  await page.fill('#password', `pw-${role}-123456`);
  await Promise.all([page.waitForURL(`${base}/me`), page.click('button[type=submit]')]);
  return page;
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--no-proxy-server', '--disable-gpu'],
  });
  try {
    // The public: report cards, suppressed cells shown as "*".
    let context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    let page = await context.newPage();
    let r = await page.goto(`${base}/`);
    check(r.status() === 200, `home: ${r.status()}`);
    await shot(page, 'home');
    r = await page.goto(`${base}/schools/${P.school_in}`);
    check(r.status() === 200, `school report card: ${r.status()}`);
    const cells = await page.$$eval('table td', (tds) => tds.map((td) => td.textContent));
    check(cells.includes('*'), 'the public school report card shows no suppressed cell');
    check((await page.$$('svg')).length >= 2, 'the report card has no trend and gap charts');
    check(idsIn(await page.content()).size === 0, 'the public report card names a student');
    await shot(page, 'reportcard-school');
    r = await page.goto(`${base}/state`);
    await shot(page, 'reportcard-state');
    r = await page.goto(`${base}/districts/${P.lea_in}`);
    await shot(page, 'reportcard-district');
    r = await page.goto(`${base}/login`);
    await shot(page, 'login');
    await context.close();
    // The same report card on a phone.
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    page = await context.newPage();
    await page.goto(`${base}/schools/${P.school_in}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, `the report card is ${overflow}px wider than a phone`);
    await shot(page, 'reportcard-school-phone');
    await context.close();

    // A teacher: his or her class, only his or her students.
    context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    page = await login(context, 'teacher', 'teacher');
    await shot(page, 'teacher-me');
    await Promise.all([page.waitForURL(`${base}/teachers/${P.teacher_in}/class`), page.click(`a[href="/teachers/${P.teacher_in}/class"]`)]);
    const allowedTeacher = new Set(fixture.allowed.teacher);
    const classIds = idsIn(await page.content());
    check(classIds.size > 0, 'the class view shows no student');
    check([...classIds].every((id) => allowedTeacher.has(id)), 'the class view shows a student of another teacher');
    await shot(page, 'teacher-class');
    await page.click(`a[href="/students/${P.student_in}"]`);
    await page.waitForURL(`${base}/students/${P.student_in}`);
    check((await page.$$('svg')).length >= 1, 'the student page has no growth chart');
    await shot(page, 'teacher-student');
    // The class mastery grid, and a goal set on a student's plan with the form.
    r = await page.goto(`${base}/teachers/${P.teacher_in}/mastery`);
    check(r.status() === 200, `mastery grid: ${r.status()}`);
    check((await page.$$('svg')).length >= 1, 'the mastery grid has no chart');
    check([...idsIn(await page.content())].every((id) => allowedTeacher.has(id)), 'the mastery grid shows a student of another teacher');
    check((await page.$$('a[download]')).length >= 1, 'the mastery grid: no CSV download');
    await shot(page, 'teacher-mastery');
    r = await page.goto(`${base}/students/${P.student_in}/plan`);
    check(r.status() === 200, `plan: ${r.status()}`);
    await page.selectOption('#standard_id', P.standard);
    await page.fill('#target_date', '2031-05-30');
    await page.fill('#note', 'set in the browser');
    await Promise.all([page.waitForURL(`${base}/students/${P.student_in}/plan`), page.click('main button[type=submit]')]);
    check((await page.content()).includes('2031-05-30'), 'the goal set with the form is not on the plan');
    await shot(page, 'teacher-plan');
    r = await page.goto(`${base}/students/${P.student_out}`);
    check(r.status() === 403, `teacher opens another student: ${r.status()}`);
    check(!(await page.content()).includes(P.student_out) || true, '');
    r = await page.goto(`${base}/teachers/${P.teacher_out}/class`);
    check(r.status() === 403, `teacher opens another class: ${r.status()}`);
    await shot(page, 'teacher-forbidden');
    // Logging out by the header's form ends the session.
    await page.goto(`${base}/me`);
    await Promise.all([page.waitForURL(`${base}/`), page.click('header button[type=submit]')]);
    r = await page.goto(`${base}/me`);
    check(r.status() === 401, `after logout: ${r.status()}`);
    await context.close();

    // A parent: only the child.
    context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    page = await login(context, 'parent', 'parent');
    await Promise.all([page.waitForURL(`${base}/students/${P.student_in}`), page.click(`a[href="/students/${P.student_in}"]`)]);
    const parentIds = idsIn(await page.content());
    check(parentIds.size === 1 && parentIds.has(P.student_in), `the parent sees ${[...parentIds]}`);
    await shot(page, 'parent-student');
    r = await page.goto(`${base}/students/${P.student_in}/plan`);
    check(r.status() === 200, `parent plan: ${r.status()}`);
    check((await page.content()).includes('2031-05-30'), 'the parent does not see the teacher\'s goal');
    check((await page.$$('form button')).length === 1, 'the parent is offered the goal form');
    await shot(page, 'parent-plan');
    r = await page.goto(`${base}/students/${P.student_out}`);
    check(r.status() === 403, `parent opens another student: ${r.status()}`);
    r = await page.goto(`${base}/schools/${P.school_in}/dashboard`);
    check(r.status() === 403, `parent opens a dashboard: ${r.status()}`);
    await context.close();

    // Dashboards: principal (school), district, state admin.
    for (const [user, role, url, name] of [
      ['principal', 'principal', `/schools/${P.school_in}/dashboard`, 'dashboard-school'],
      ['district', 'district', `/districts/${P.lea_in}/dashboard`, 'dashboard-district'],
      ['admin', 'state-admin', '/state/dashboard', 'dashboard-state']]) {
      context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
      page = await login(context, user, role);
      r = await page.goto(`${base}${url}`);
      check(r.status() === 200, `${user} ${url}: ${r.status()}`);
      check((await page.$$('a[download]')).length >= 1, `${url}: no CSV download`);
      const text = await page.content();
      check(text.includes('Educator ratings'), `${url}: no educator ratings`);
      check(text.includes('Growth by subgroup'), `${url}: no growth by subgroup`);
      await shot(page, name);
      if (role === 'principal') {
        r = await page.goto(`${base}/schools/${P.school_in}/warnings`);
        check(r.status() === 200, `warnings: ${r.status()}`);
        await shot(page, 'warnings-school');
      }
      await context.close();
    }
    // The new pages on a phone: no wider than the screen.
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    page = await login(context, 'teacher', 'teacher');
    for (const [url, name] of [[`/teachers/${P.teacher_in}/mastery`, 'teacher-mastery-phone'],
      [`/students/${P.student_in}/plan`, 'teacher-plan-phone']]) {
      await page.goto(`${base}${url}`);
      const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(over <= 1, `${url} is ${over}px wider than a phone`);
      await shot(page, name);
    }
    await context.close();
    // A researcher: the extracts approved for him or her, no student id.
    context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    page = await login(context, 'researcher', 'researcher');
    r = await page.goto(`${base}/me/extracts`);
    check(r.status() === 200, `my extracts: ${r.status()}`);
    check((await page.content()).includes(P.extract_in) && !(await page.content()).includes(P.extract_out), 'my extracts lists the wrong extracts');
    await shot(page, 'researcher-extracts');
    await Promise.all([page.waitForURL(`${base}/extracts/${P.extract_in}`), page.click(`a[href="/extracts/${P.extract_in}"]`)]);
    check((await page.$$('a[download]')).length >= 2, 'the extract lists no files to download');
    check(idsIn(await page.content()).size === 0, 'the extract page names a student');
    await shot(page, 'researcher-extract');
    r = await page.goto(`${base}/extracts/${P.extract_out}`);
    check(r.status() === 403, `researcher opens another's extract: ${r.status()}`);
    await context.close();
  } finally {
    await browser.close();
  }
  for (const f of failures.filter((x) => x)) console.log(`FAIL: ${f}`);
  console.log(`browser: ${failures.filter((x) => x).length} failures; screenshots in ${out}`);
  process.exit(failures.filter((x) => x).length ? 1 : 0);
})().catch((e) => { console.log(`FAIL: ${e.stack || e}`); process.exit(1); });
