/**
 * Fictional name lists for the generator, most common first (the generator skews towards the
 * head of each list, so a few family names are shared by many children, as in life).
 * Accented letters are only ones that decompose under NFD (é, ë, ö, ñ, ç...), so PostgreSQL's
 * `lower(unaccent(...))` gives exactly what `normaliseName` gives; the generator checks a sample.
 */
export const GIVEN_NAMES_F = [
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Mia', 'Ivy', 'Lily', 'Isabella', 'Rosie', 'Sophia', 'Grace', 'Freya',
  'Willow', 'Florence', 'Emily', 'Ella', 'Poppy', 'Evie', 'Elsie', 'Charlotte', 'Evelyn', 'Sienna', 'Sofia',
  'Daisy', 'Phoebe', 'Sophie', 'Alice', 'Harper', 'Matilda', 'Ruby', 'Emilia', 'Maya', 'Isabelle', 'Millie',
  'Eva', 'Luna', 'Jessica', 'Aria', 'Chloé', 'Zoë', 'Leah', 'Hannah', 'Layla', 'Imogen', 'Esmé', 'Maisie',
  'Lucy', 'Scarlett', 'Erin', 'Holly', 'Eliza', 'Mila', 'Thea', 'Ayla', 'Nancy', 'Zara', 'Aisha', 'Fatima',
  'Amira', 'Maryam', 'Inès', 'Noémie', 'Renée', 'Anaïs', 'Niamh', 'Siobhán', 'Aoife', 'Róisín', 'Ciara',
  'Megan', 'Bethany', 'Jasmine', 'Lola', 'Ellie', 'Molly', 'Lacey', 'Kayla', 'Paige', 'Courtney', 'Demi',
  'Tia', 'Precious', 'Blessing', 'Abena', 'Chidinma', 'Priya', 'Anjali', 'Simran', 'Harleen', 'Mariam',
  'Zuzanna', 'Julia', 'Natália', 'Maria', 'Ana', 'Lucía', 'Sofía', 'Elena', 'Daria', 'Alexandra',
]; // prettier-ignore

export const GIVEN_NAMES_M = [
  'Muhammad', 'Noah', 'Oliver', 'George', 'Leo', 'Arthur', 'Oscar', 'Harry', 'Archie', 'Jack', 'Henry',
  'Charlie', 'Freddie', 'Theodore', 'Thomas', 'Finley', 'Theo', 'Alfie', 'Jacob', 'William', 'Isaac', 'Tommy',
  'Joshua', 'James', 'Lucas', 'Alexander', 'Arlo', 'Roman', 'Edward', 'Elijah', 'Max', 'Mason', 'Adam',
  'Teddy', 'Reggie', 'Albie', 'Louie', 'Hugo', 'Ethan', 'Jude', 'Sebastian', 'Ezra', 'Jaxon', 'Reuben',
  'Rory', 'Ronnie', 'Louis', 'Ibrahim', 'Yusuf', 'Omar', 'Ali', 'Hamza', 'Zain', 'Ayaan', 'Kai', 'Tyler',
  'Kyle', 'Connor', 'Callum', 'Liam', 'Dylan', 'Kian', 'Declan', 'Seán', 'Ciarán', 'Oisín', 'Rhys', 'Dafydd',
  'Gruffydd', 'Jayden', 'Tyrese', 'Kwame', 'Kofi', 'Chukwuemeka', 'Tunde', 'Arjun', 'Rohan', 'Aarav',
  'Harjeet', 'Gurpreet', 'Jakub', 'Szymon', 'Mateusz', 'Filip', 'Andrei', 'Mihai', 'José', 'Andrés', 'Raúl',
  'Joaquín', 'Nicolás', 'Björn', 'Jérôme', 'Benoît', 'Loïc', 'Anthony', 'Brandon', 'Ryan', 'Lewis', 'Jamie',
]; // prettier-ignore

/** Nicknames a child may prefer. */
export const PREFERRED_NAMES = [
  'Lee', 'Jay', 'Bex', 'Liv', 'Alfie', 'Izzy', 'Mo', 'Charlie', 'Frankie', 'Sam', 'Alex', 'Robbie', 'Ellie',
  'Jojo', 'Kiki', 'Toni', 'Danny', 'Nat', 'Rio', 'Skye',
]; // prettier-ignore

export const FAMILY_NAMES = [
  'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson', 'Roberts',
  'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall', 'Lewis', 'Harris',
  'Clarke', 'Patel', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper', 'Hill', 'Ward', 'Morris', 'Moore',
  'Clark', 'Lee', 'King', 'Baker', 'Harrison', 'Morgan', 'Allen', 'James', 'Scott', 'Phillips', 'Watson',
  'Davis', 'Parker', 'Price', 'Bennett', 'Young', 'Griffiths', 'Mitchell', 'Kelly', 'Cook', 'Carter',
  'Richardson', 'Bailey', 'Collins', 'Bell', 'Shaw', 'Murphy', 'Miller', 'Cox', 'Richards', 'Khan', 'Marshall',
  'Anderson', 'Simpson', 'Ellis', 'Adams', 'Singh', 'Begum', 'Wilkinson', 'Foster', 'Chapman', 'Powell',
  'Webb', 'Rogers', 'Gray', 'Mason', 'Ali', 'Hunt', 'Hussain', 'Campbell', 'Matthews', 'Owen', 'Palmer',
  'Holmes', 'Mills', 'Barnes', 'Knight', 'Lloyd', 'Butler', 'Russell', 'Barker', 'Fisher', 'Stevens',
  'Jenkins', 'Murray', 'Dixon', 'Harvey', 'Graham', 'Pearson', 'Ahmed', 'Fletcher', 'Walsh', 'Kaur', 'Gibson',
  'Howard', 'Andrews', 'Stewart', 'Elliott', 'Reynolds', 'Saunders', 'Payne', 'Fox', 'Ford', 'Pearce', 'Day',
  'Brooks', 'West', 'Lawrence', 'Cole', 'Atkinson', 'Bradley', 'Spencer', 'Gill', 'Dawson', 'Ball', 'Burton',
  "O'Brien", "O'Connor", "O'Neill", 'McCarthy', 'MacDonald', 'McKenzie', 'Gallagher', 'Doherty', 'Kennedy',
  'Lynch', 'Quinn', 'Byrne', 'Nowak', 'Kowalski', 'Wiśniewski', 'Wójcik', 'Kamińska', 'Lewandowski', 'Popescu',
  'Ionescu', 'Horváth', 'Novák', 'Dvořák', 'García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez',
  'Pérez', 'Sánchez', 'Gómez', 'Muñoz', 'Peña', 'Núñez', 'Ibáñez', 'Çelik', 'Yilmaz', 'Öztürk', 'Müller',
  'Schröder', 'Köhler', 'Bäcker', 'Lefèvre', 'Dubois', 'Moreau', 'Girard', 'Bonnet', 'François', 'Mercier',
  'Okafor', 'Adeyemi', 'Mensah', 'Owusu', 'Boateng', 'Nwosu', 'Okonkwo', 'Abubakar', 'Mohamed', 'Abdi',
  'Osman', 'Yusuf', 'Rahman', 'Chowdhury', 'Miah', 'Uddin', 'Islam', 'Iqbal', 'Akhtar', 'Malik', 'Shah',
  'Sharma', 'Kumar', 'Gupta', 'Mistry', 'Chauhan', 'Sandhu', 'Dhillon', 'Nguyen', 'Tran', 'Wang', 'Li',
  'Zhang', 'Chen', 'Liu', 'Wong', 'Smith-Jones', 'Taylor-Brown', 'Evans-Hughes', 'Ashworth', 'Fenwick',
  'Thornton', 'Whitfield', 'Blackburn', 'Haworth', 'Greenwood', 'Sutcliffe', 'Holroyd', 'Ackroyd', 'Pickles',
  'Hargreaves', 'Crowther', 'Bairstow', 'Illingworth', 'Ramsden', 'Shackleton', 'Tattersall', 'Entwistle',
]; // prettier-ignore

export const STREETS = [
  'Canal Street', 'Fenwick Road', 'Station Road', 'High Street', 'Church Lane', 'Mill Lane', 'Victoria Road',
  'Park Avenue', 'Queen Street', 'Albert Terrace', 'Moor Lane', 'Bridge Street', 'Chapel Row', 'Orchard Close',
]; // prettier-ignore

export const TOWNS = ['Northtown', 'Easton', 'Southport Vale', 'Riverside', 'Westbridge', 'Millford', 'Ashby'];

export const CHRONOLOGY_SUMMARIES = [
  'Concern raised by staff; DSL informed.',
  'Referral received and triaged.',
  'Home visit completed; family engaging.',
  'Reported missing overnight; returned next morning.',
  'Return home interview offered.',
  'Strategy discussion held.',
  'Health appointment attended.',
  'Missed health appointment; follow-up letter sent.',
  'Attendance below 90% this term.',
  'Police attended an incident at the home address.',
  'Information shared with partner agency.',
  'Plan reviewed; actions updated.',
];
